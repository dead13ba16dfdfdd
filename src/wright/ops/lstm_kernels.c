/* One LSTM time step's elementwise work for a block of rows of the batch, in one pass over memory
 * (see lstm_kernels.py, which compiles and loads this file, and recurrent.py, the NumPy reference).
 * Every array is C-contiguous float32; a row of `gates` holds the blocks (i, f, g, o), each `size`
 * wide. */

#include <stddef.h>

/* On x86-64 Linux, GCC also builds an AVX2 copy of each step and picks one when the library loads,
 * so one cached file suits every x86-64 machine and uses AVX2 where there is one. */
#if defined(__x86_64__) && defined(__linux__) && defined(__GNUC__) && !defined(__clang__)
#define VECTOR_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define VECTOR_CLONES
#endif

/* tanh(x) ~ x P(x^2) / Q(x^2) on [-9, 9] (beyond, tanh rounds to +-1 in float32): a rational fit
 * by iteratively reweighted least squares on the relative error, at most 4e-7 relative. Unlike a
 * libm call it vectorises. The comparisons leave NaN as it is, so a diverging network shows NaN. */
static inline float rational_tanh(float x)
{
    const float limit = 9.0f;
    x = x > limit ? limit : x;
    x = x < -limit ? -limit : x;
    float x2 = x * x;
    float p = (((1.36631044e-08f * x2 + 2.08317233e-05f) * x2 + 3.50912055e-03f) * x2
               + 0.133924216f) * x2 + 1.0f;
    float q = (((7.90281035e-07f * x2 + 3.30776325e-04f) * x2 + 2.59284675e-02f) * x2
               + 0.46725741f) * x2 + 1.0f;
    return x * p / q;
}

/* tanh of n values (for the tests of the approximation). */
void lstm_tanh(ptrdiff_t n, const float *restrict x, float *restrict out)
{
    for (ptrdiff_t k = 0; k < n; k++)
        out[k] = rational_tanh(x[k]);
}

/* Forward, in place: gates (rows, 4 size) hold the input projection and become the activations
 * tanh(gates + recurrent) * scale + offset (the sigmoid gates' weights are pre-halved, so this is
 * their sigmoid); then c = f c_before + i g, tanh(c) and h = o tanh(c). */
VECTOR_CLONES void lstm_forward_step(ptrdiff_t rows, ptrdiff_t size, float *restrict gates,
                                     const float *restrict recurrent, const float *restrict scale,
                                     const float *restrict offset,
                                     const float *restrict cell_before, float *restrict cell,
                                     float *restrict tanh_cell, float *restrict hidden)
{
    ptrdiff_t width = 4 * size;
    for (ptrdiff_t r = 0; r < rows; r++) {
        float *a = gates + r * width;
        const float *added = recurrent + r * width;
        for (ptrdiff_t k = 0; k < width; k++)
            a[k] = rational_tanh(a[k] + added[k]) * scale[k] + offset[k];
        const float *before = cell_before + r * size;
        float *c_out = cell + r * size, *t_out = tanh_cell + r * size, *h_out = hidden + r * size;
        for (ptrdiff_t j = 0; j < size; j++) {
            float c = a[size + j] * before[j] + a[j] * a[2 * size + j];
            float t = rational_tanh(c);
            c_out[j] = c;
            t_out[j] = t;
            h_out[j] = a[3 * size + j] * t;
        }
    }
}

/* Backward: grad_out + carry is the gradient at h_t (from the output and from step t + 1's
 * recurrent product), cell_carry the gradient at c_t from step t + 1, updated in place to the one
 * at c_(t-1); writes the gradient at the gates' pre-activations into grad_gates (rows, 4 size). */
VECTOR_CLONES void lstm_backward_step(ptrdiff_t rows, ptrdiff_t size,
                                      const float *restrict grad_out, const float *restrict carry,
                                      float *restrict cell_carry, const float *restrict gates,
                                      const float *restrict cell_before,
                                      const float *restrict tanh_cell, float *restrict grad_gates)
{
    ptrdiff_t width = 4 * size;
    for (ptrdiff_t r = 0; r < rows; r++) {
        const float *a = gates + r * width, *out = grad_out + r * size, *back = carry + r * size;
        const float *before = cell_before + r * size, *tanhs = tanh_cell + r * size;
        float *d = grad_gates + r * width, *carried = cell_carry + r * size;
        for (ptrdiff_t j = 0; j < size; j++) {
            float i = a[j], f = a[size + j], g = a[2 * size + j], o = a[3 * size + j];
            float t = tanhs[j];
            float grad_h = out[j] + back[j];
            float grad_c = grad_h * o * (1 - t * t) + carried[j];
            d[j] = grad_c * g * i * (1 - i);
            d[size + j] = grad_c * before[j] * f * (1 - f);
            d[2 * size + j] = grad_c * i * (1 - g * g);
            d[3 * size + j] = grad_h * t * o * (1 - o);
            carried[j] = grad_c * f;
        }
    }
}

/* The recurrent products come from the BLAS that NumPy uses: the caller passes the address of its
 * cblas_sgemm and whether that takes 64-bit integers (OpenBLAS's ILP64 builds). With them a whole
 * sequence runs in one call, without going back to Python (and its lock) twice a step. */
enum { ROW_MAJOR = 101, NO_TRANSPOSE = 111, TRANSPOSE = 112 };
typedef long long blas_long;
typedef void (*sgemm_ilp64)(int, int, int, blas_long, blas_long, blas_long, float, const float *,
                            blas_long, const float *, blas_long, float, float *, blas_long);
typedef void (*sgemm_lp64)(int, int, int, int, int, int, float, const float *, int, const float *,
                           int, float, float *, int);

/* out (m, n) = a (m, k) times b (k, n), or times b^T for b (n, k) when `transpose_b`; all
 * C-contiguous. */
static void product(const void *gemm, int ilp64, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
                    const float *a, const float *b, int transpose_b, float *out)
{
    int how = transpose_b ? TRANSPOSE : NO_TRANSPOSE;
    ptrdiff_t b_rows = transpose_b ? k : n;
    if (ilp64)
        ((sgemm_ilp64)gemm)(ROW_MAJOR, NO_TRANSPOSE, how, m, n, k, 1.0f, a, k, b, b_rows, 0.0f,
                            out, n);
    else
        ((sgemm_lp64)gemm)(ROW_MAJOR, NO_TRANSPOSE, how, (int)m, (int)n, (int)k, 1.0f, a, (int)k,
                           b, (int)b_rows, 0.0f, out, (int)n);
}

/* Where argument `k` of a step kernel lies at time step t: its address at step 0 plus t strides
 * (bytes; 0 for an argument that is the same at every step). */
#define AT(k, t) ((float *)(bases[k] + (t) * strides[k]))

/* Forward over `steps` time steps for one block of rows: recurrent = h_(t-1) W^T, with W the
 * (4 size, size) scaled recurrent weights, then lstm_forward_step. `hidden_before` and
 * `hidden_stride` place h_(t-1); `bases` and `strides` the step kernel's eight arguments. */
void lstm_forward_sequence(ptrdiff_t steps, ptrdiff_t rows, ptrdiff_t size, const void *gemm,
                           int ilp64, const float *weights, const char *hidden_before,
                           ptrdiff_t hidden_stride, char *const *bases, const ptrdiff_t *strides)
{
    for (ptrdiff_t t = 0; t < steps; t++) {
        product(gemm, ilp64, rows, 4 * size, size,
                (const float *)(hidden_before + t * hidden_stride), weights, 1, AT(1, t));
        lstm_forward_step(rows, size, AT(0, t), AT(1, t), AT(2, t), AT(3, t), AT(4, t), AT(5, t),
                          AT(6, t), AT(7, t));
    }
}

/* Backward over the steps in reverse for one block of rows: lstm_backward_step, then the gradient
 * at h_(t-1) that flows back through the recurrent weights, carry = grad_gates_t W with W the
 * (4 size, size) recurrent weights (skipped at t = 0 unless `need_first`, the gradient at h_0). */
void lstm_backward_sequence(ptrdiff_t steps, ptrdiff_t rows, ptrdiff_t size, const void *gemm,
                            int ilp64, const float *weights, int need_first, char *const *bases,
                            const ptrdiff_t *strides)
{
    for (ptrdiff_t t = steps - 1; t >= 0; t--) {
        lstm_backward_step(rows, size, AT(0, t), AT(1, t), AT(2, t), AT(3, t), AT(4, t),
                           AT(5, t), AT(6, t));
        if (t || need_first)
            product(gemm, ilp64, rows, size, 4 * size, AT(6, t), weights, 0, AT(1, t));
    }
}
