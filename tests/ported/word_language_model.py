"""A word-level LSTM language model: embedding, LSTM, dropout and a linear decoder with tied
weights, trained by truncated backpropagation through time with gradient clipping and a plain SGD
update written by hand."""

import argparse
import math

import torch
import torch.nn.functional as F
from torch import nn


class Dictionary:
    """Words to ids and back."""

    def __init__(self):
        self.word2idx = {}
        self.idx2word = []

    def add_word(self, word):
        if word not in self.word2idx:
            self.idx2word.append(word)
            self.word2idx[word] = len(self.idx2word) - 1
        return self.word2idx[word]

    def __len__(self):
        return len(self.idx2word)


class Corpus:
    """Token ids of a text, one '<eos>' after every line."""

    def __init__(self, text):
        self.dictionary = Dictionary()
        ids = []
        for line in text.splitlines():
            for word in line.split() + ["<eos>"]:
                ids.append(self.dictionary.add_word(word))
        self.ids = torch.tensor(ids, dtype=torch.int64)


def batchify(data, bsz):
    """Cut a stream of ids into `bsz` columns: (steps, bsz)."""
    nbatch = data.size(0) // bsz
    data = data.narrow(0, 0, nbatch * bsz)
    return data.view(bsz, -1).t().contiguous()


def get_batch(source, i, bptt):
    """Rows i..i+bptt as input and the same rows one step later, flattened, as target."""
    seq_len = min(bptt, len(source) - 1 - i)
    data = source[i : i + seq_len]
    target = source[i + 1 : i + 1 + seq_len].view(-1)
    return data, target


class RNNModel(nn.Module):
    """Embedding, LSTM and a linear decoder to word log-probabilities."""

    def __init__(self, ntoken, ninp, nhid, nlayers, dropout=0.5, tie_weights=False):
        super().__init__()
        self.ntoken = ntoken
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnn = nn.LSTM(ninp, nhid, nlayers, dropout=dropout)
        self.decoder = nn.Linear(nhid, ntoken)
        if tie_weights:
            if nhid != ninp:
                raise ValueError("tied weights need nhid == ninp")
            self.decoder.weight = self.encoder.weight
        self.init_weights()
        self.nhid = nhid
        self.nlayers = nlayers

    def init_weights(self):
        initrange = 0.1
        nn.init.uniform_(self.encoder.weight, -initrange, initrange)
        nn.init.zeros_(self.decoder.bias)
        nn.init.uniform_(self.decoder.weight, -initrange, initrange)

    def forward(self, input, hidden):  # input (T, B)
        emb = self.drop(self.encoder(input))  # (T, B, ninp)
        output, hidden = self.rnn(emb, hidden)  # (T, B, nhid)
        output = self.drop(output)
        decoded = self.decoder(output).view(-1, self.ntoken)  # (T * B, ntoken)
        return F.log_softmax(decoded, dim=1), hidden

    def init_hidden(self, bsz):
        weight = next(self.parameters())
        return (
            weight.new_zeros(self.nlayers, bsz, self.nhid),
            weight.new_zeros(self.nlayers, bsz, self.nhid),
        )


def repackage_hidden(h):
    """Cut the hidden state off from the graph of the previous window."""
    if isinstance(h, torch.Tensor):
        return h.detach()
    return tuple(repackage_hidden(v) for v in h)


def build_model(data, emsize=32, nhid=32, nlayers=2, dropout=0.2, tied=True):
    """A two-layer tied LSTM language model over the corpus's words."""
    corpus = data[0]
    return RNNModel(len(corpus.dictionary), emsize, nhid, nlayers, dropout, tied)


def make_data(text, batch_size=4):
    """The corpus and its ids batchified for training (4 streams) and evaluation (2)."""
    corpus = Corpus(text)
    return corpus, batchify(corpus.ids, batch_size), batchify(corpus.ids, 2)


def train(model, data, steps, lr=5.0, clip=0.25, bptt=12, batch_size=4):
    """Truncated-BPTT steps with clipped gradients; the loss of each step."""
    _, train_data, _ = data
    criterion = nn.NLLLoss()
    model.train()
    hidden = model.init_hidden(batch_size)
    losses = []
    while len(losses) < steps:
        for i in range(0, train_data.size(0) - 1, bptt):
            data, targets = get_batch(train_data, i, bptt)
            model.zero_grad()
            hidden = repackage_hidden(hidden)
            output, hidden = model(data, hidden)
            loss = criterion(output, targets)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
            for p in model.parameters():
                p.data.add_(p.grad, alpha=-lr)
            losses.append(loss.item())
            if len(losses) == steps:
                break
    return losses


def evaluate(model, data, bptt=12):
    """Loss and perplexity over the evaluation streams."""
    _, _, eval_data = data
    model.eval()
    total_loss = 0.0
    hidden = model.init_hidden(eval_data.size(1))
    with torch.no_grad():
        for i in range(0, eval_data.size(0) - 1, bptt):
            data, targets = get_batch(eval_data, i, bptt)
            output, hidden = model(data, hidden)
            hidden = repackage_hidden(hidden)
            total_loss += len(data) * F.nll_loss(output, targets).item()
    loss = total_loss / (len(eval_data) - 1)
    return [loss, math.exp(loss)]


def main():
    """Train on a repeated rhyme and print the losses."""
    parser = argparse.ArgumentParser(description="word LSTM language model")
    parser.add_argument("--steps", type=int, default=5)
    args = parser.parse_args()
    torch.manual_seed(1)
    text = "the cat sat on the mat\nthe dog sat on the log\n" * 20
    data = make_data(text)
    model = build_model(data)
    print(train(model, data, args.steps))
    print(evaluate(model, data))


if __name__ == "__main__":
    main()
