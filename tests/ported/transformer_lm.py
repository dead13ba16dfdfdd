"""A word-level Transformer language model: sinusoidal positional encoding, nn.TransformerEncoder
with a causal mask from nn.Transformer.generate_square_subsequent_mask, SGD with StepLR and
gradient clipping."""

import argparse
import math

import torch
from torch import nn
from torch.nn import TransformerEncoder, TransformerEncoderLayer


class PositionalEncoding(nn.Module):
    """Adds sines and cosines of the position at geometrically spaced frequencies."""

    def __init__(self, d_model, dropout=0.1, max_len=500):
        super().__init__()
        self.dropout = nn.Dropout(p=dropout)
        position = torch.arange(max_len).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
        pe = torch.zeros(max_len, 1, d_model)
        pe[:, 0, 0::2] = torch.sin(position * div_term)
        pe[:, 0, 1::2] = torch.cos(position * div_term)
        self.register_buffer("pe", pe)

    def forward(self, x):  # (T, B, d_model)
        x = x + self.pe[: x.size(0)]
        return self.dropout(x)


class TransformerModel(nn.Module):
    """Embedding, positional encoding, a causal Transformer encoder and a linear decoder."""

    def __init__(self, ntoken, d_model, nhead, d_hid, nlayers, dropout=0.5):
        super().__init__()
        self.model_type = "Transformer"
        self.pos_encoder = PositionalEncoding(d_model, dropout)
        encoder_layers = TransformerEncoderLayer(d_model, nhead, d_hid, dropout)
        self.transformer_encoder = TransformerEncoder(encoder_layers, nlayers)
        self.embedding = nn.Embedding(ntoken, d_model)
        self.d_model = d_model
        self.linear = nn.Linear(d_model, ntoken)
        self.init_weights()

    def init_weights(self):
        initrange = 0.1
        self.embedding.weight.data.uniform_(-initrange, initrange)
        self.linear.bias.data.zero_()
        self.linear.weight.data.uniform_(-initrange, initrange)

    def forward(self, src, src_mask=None):  # src (T, B)
        src = self.embedding(src) * math.sqrt(self.d_model)
        src = self.pos_encoder(src)
        if src_mask is None:
            src_mask = nn.Transformer.generate_square_subsequent_mask(len(src))
        output = self.transformer_encoder(src, src_mask)
        return self.linear(output)  # (T, B, ntoken)


def make_data(text, batch_size=4):
    """Word ids of the text, batchified into `batch_size` streams: (steps, batch_size)."""
    vocab = {}
    ids = [vocab.setdefault(word, len(vocab)) for word in text.split()]
    data = torch.tensor(ids, dtype=torch.long)
    seq_len = data.size(0) // batch_size
    data = data[: seq_len * batch_size]
    return {"ntokens": len(vocab), "train": data.view(batch_size, seq_len).t().contiguous()}


def get_batch(source, i, bptt=10):
    """Rows i..i+bptt as input and the rows one step later, flattened, as target."""
    seq_len = min(bptt, len(source) - 1 - i)
    data = source[i : i + seq_len]
    target = source[i + 1 : i + 1 + seq_len].reshape(-1)
    return data, target


def build_model(data, dropout=0.2):
    """A two-layer, two-head encoder of width 32."""
    return TransformerModel(data["ntokens"], 32, 2, 64, 2, dropout)


def train(model, data, steps, lr=1.0, bptt=10):
    """SGD steps over successive windows, the learning rate decayed after each pass."""
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 1.0, gamma=0.95)
    ntokens = data["ntokens"]
    model.train()
    losses = []
    while len(losses) < steps:
        for i in range(0, data["train"].size(0) - 1, bptt):
            inputs, targets = get_batch(data["train"], i, bptt)
            output = model(inputs)
            loss = criterion(output.view(-1, ntokens), targets)
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 0.5)
            optimizer.step()
            losses.append(loss.item())
            if len(losses) == steps:
                break
        scheduler.step()
    return losses


def evaluate(model, data, bptt=10):
    """The average loss over the training stream, in evaluation mode."""
    model.eval()
    total_loss = 0.0
    source = data["train"]
    with torch.no_grad():
        for i in range(0, source.size(0) - 1, bptt):
            inputs, targets = get_batch(source, i, bptt)
            output = model(inputs).view(-1, data["ntokens"])
            total_loss += inputs.size(0) * nn.functional.cross_entropy(output, targets).item()
    return [total_loss / (len(source) - 1)]


def main():
    """Train on a repeated rhyme and print the losses."""
    parser = argparse.ArgumentParser(description="Transformer language model")
    parser.add_argument("--steps", type=int, default=4)
    args = parser.parse_args()
    torch.manual_seed(1)
    data = make_data("the cat sat on the mat and the dog sat on the log " * 20)
    model = build_model(data)
    print(train(model, data, args.steps))
    print(evaluate(model, data))


if __name__ == "__main__":
    main()
