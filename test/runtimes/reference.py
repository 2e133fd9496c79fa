# Reference values pasted into smoke.js, computed with PyTorch: /usr/bin/python3 test/runtimes/reference.py
import torch


def values(n, seed):
    """The deterministic parameter values smoke.js makes with the same formula."""
    return [(((i * 7919 + seed * 104729) % 200) - 100) / 250 for i in range(n)]


X = torch.tensor(values(24, 1)).reshape(6, 4)
y = torch.tensor([0, 1, 2, 1, 0, 2])
params = [
    torch.tensor(values(20, 2)).reshape(5, 4).requires_grad_(),
    torch.tensor(values(5, 3)).requires_grad_(),
    torch.tensor(values(15, 4)).reshape(3, 5).requires_grad_(),
    torch.tensor(values(3, 5)).requires_grad_(),
]
W1, b1, W2, b2 = params
losses = []
for step in range(5):
    hidden = torch.relu(torch.nn.functional.linear(X, W1, b1))
    loss = torch.nn.functional.cross_entropy(torch.nn.functional.linear(hidden, W2, b2), y)
    loss.backward()
    losses.append(loss.item())
    with torch.no_grad():
        for p in params:
            p.sub_(p.grad * 0.5)
            p.grad = None
print("MLP losses", losses)
print("MLP W2 after training", W2.detach().flatten().tolist())

a = torch.tensor([1, 2, 3.0], requires_grad=True)
a.sigmoid().sum().backward()
print("detach tutorial a.grad", a.grad.tolist())

x = torch.tensor([1, 2, 3.0], requires_grad=True)
m = x.mul(2)
y = m.mul(3)
m.detach_()
y.sum().backward()
print("x -> m -> y, m.detach_() after y: x.grad", x.grad.tolist())

a = torch.tensor([1, 2, 3.0], requires_grad=True)
out = a.sigmoid()
out.data.zero_()
out.sum().backward()
print(".data: a.grad", a.grad.tolist())

torch.manual_seed(0)
print("rand(3), then randn(3) after manual_seed(0)", torch.rand(3).tolist(), torch.randn(3).tolist())
print("a new Generator's seed", torch.Generator().initial_seed())
