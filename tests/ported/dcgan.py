"""A small DCGAN: a ConvTranspose2d + BatchNorm2d + ReLU generator and a Conv2d + LeakyReLU
discriminator, trained against each other with BCELoss and two Adam optimizers on 16x16 images."""

import argparse

import torch
from torch import nn, optim
from torch.utils.data import DataLoader, TensorDataset

nz, ngf, ndf, nc = 8, 8, 8, 1


def weights_init(m):
    """DCGAN's initialisation: N(0, 0.02) convolutions, N(1, 0.02) batch-norm scales."""
    classname = m.__class__.__name__
    if classname.find("Conv") != -1:
        nn.init.normal_(m.weight.data, 0.0, 0.02)
    elif classname.find("BatchNorm") != -1:
        nn.init.normal_(m.weight.data, 1.0, 0.02)
        nn.init.constant_(m.bias.data, 0)


class Generator(nn.Module):
    """Noise (N, nz, 1, 1) to images (N, 1, 16, 16) through transposed convolutions."""

    def __init__(self):
        super().__init__()
        self.main = nn.Sequential(
            nn.ConvTranspose2d(nz, ngf * 4, 4, 1, 0, bias=False),  # (N, 32, 4, 4)
            nn.BatchNorm2d(ngf * 4),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False),  # (N, 16, 8, 8)
            nn.BatchNorm2d(ngf * 2),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 2, nc, 4, 2, 1, bias=False),  # (N, 1, 16, 16)
            nn.Tanh(),
        )

    def forward(self, input):
        return self.main(input)


class Discriminator(nn.Module):
    """Images (N, 1, 16, 16) to the probability that each is real."""

    def __init__(self):
        super().__init__()
        self.main = nn.Sequential(
            nn.Conv2d(nc, ndf, 4, 2, 1, bias=False),  # (N, 8, 8, 8)
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False),  # (N, 16, 4, 4)
            nn.BatchNorm2d(ndf * 2),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 2, 1, 4, 1, 0, bias=False),  # (N, 1, 1, 1)
            nn.Sigmoid(),
        )

    def forward(self, input):
        return self.main(input).view(-1, 1).squeeze(1)


def build_model(data=None):
    """The generator and the discriminator."""
    netG = Generator()
    netG.apply(weights_init)
    netD = Discriminator()
    netD.apply(weights_init)
    return netG, netD


def make_data(images, batch_size=16):
    """Images (N, 16, 16) in [0, 1], scaled to the generator's tanh range [-1, 1]."""
    x = images.float().unsqueeze(1) * 2 - 1
    return DataLoader(TensorDataset(x), batch_size=batch_size, drop_last=True)


def train(model, dataloader, steps, lr=2e-4, beta1=0.5):
    """Alternate discriminator and generator steps; both losses of each step."""
    netG, netD = model
    criterion = nn.BCELoss()
    real_label, fake_label = 1.0, 0.0
    optimizerD = optim.Adam(netD.parameters(), lr=lr, betas=(beta1, 0.999))
    optimizerG = optim.Adam(netG.parameters(), lr=lr, betas=(beta1, 0.999))
    losses = []
    while len(losses) < 2 * steps:
        for (real,) in dataloader:
            # (1) Update D: maximise log(D(x)) + log(1 - D(G(z)))
            netD.zero_grad()
            b_size = real.size(0)
            label = torch.full((b_size,), real_label, dtype=real.dtype)
            output = netD(real)
            errD_real = criterion(output, label)
            errD_real.backward()
            D_x = output.mean().item()

            noise = torch.randn(b_size, nz, 1, 1)
            fake = netG(noise)
            label.fill_(fake_label)
            output = netD(fake.detach())
            errD_fake = criterion(output, label)
            errD_fake.backward()
            D_G_z1 = output.mean().item()
            errD = errD_real + errD_fake
            optimizerD.step()

            # (2) Update G: maximise log(D(G(z)))
            netG.zero_grad()
            label.fill_(real_label)
            output = netD(fake)
            errG = criterion(output, label)
            errG.backward()
            D_G_z2 = output.mean().item()
            optimizerG.step()
            print(
                f"Loss_D {errD.item():.4f} Loss_G {errG.item():.4f} D(x) {D_x:.4f} "
                f"D(G(z)) {D_G_z1:.4f} / {D_G_z2:.4f}"
            )
            losses += [errD.item(), errG.item()]
            if len(losses) == 2 * steps:
                break
    return losses


def evaluate(model, dataloader):
    """Statistics of generated images and the discriminator's opinion of them."""
    netG, netD = model
    netG.eval()
    netD.eval()
    with torch.no_grad():
        fixed_noise = torch.randn(4, nz, 1, 1)
        fake = netG(fixed_noise)
        return [fake.mean().item(), fake.std().item(), netD(fake).mean().item()]


def main():
    """Train on random images and print the losses."""
    parser = argparse.ArgumentParser(description="DCGAN on random images")
    parser.add_argument("--steps", type=int, default=3)
    args = parser.parse_args()
    torch.manual_seed(1)
    loader = make_data(torch.rand(64, 16, 16))
    model = build_model()
    print(train(model, loader, args.steps))
    print(evaluate(model, loader))


if __name__ == "__main__":
    main()
