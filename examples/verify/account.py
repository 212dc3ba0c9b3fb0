"""A bank account as a frozen dataclass: every operation returns a new account, and the
balance never goes below the overdraft limit, whatever sequence of transactions is applied."""

from dataclasses import dataclass

from quod.spec import ensures, invariant, pure, requires, result


@dataclass(frozen=True)
class Account:
    owner: str
    balance: int
    limit: int = 0  # how far below zero the balance may go


@pure
def ok(a: Account) -> bool:
    return a.limit >= 0 and a.balance >= -a.limit


def deposit(a: Account, amount: int) -> Account:
    requires(ok(a) and amount >= 0)
    ensures(ok(result))
    ensures(result == Account(a.owner, a.balance + amount, a.limit))
    return Account(a.owner, a.balance + amount, a.limit)


def withdraw(a: Account, amount: int) -> tuple[Account, bool]:
    """Withdraw if the limit allows it; the flag says whether it happened."""
    requires(ok(a) and amount >= 0)
    ensures(ok(result[0]) and result[0].owner == a.owner and result[0].limit == a.limit)
    ensures(result[0].balance == (a.balance - amount if result[1] else a.balance))
    ensures(result[1] == (a.balance - amount >= -a.limit))
    if a.balance - amount < -a.limit:
        return a, False
    return Account(a.owner, a.balance - amount, limit=a.limit), True


def apply_all(a: Account, amounts: list[int]) -> Account:
    """Positive amounts are deposits, negative ones withdrawals (refused when over the limit)."""
    requires(ok(a))
    ensures(ok(result) and result.owner == a.owner and result.limit == a.limit)
    acc = a
    refused = 0
    for x in amounts:
        invariant(ok(acc) and acc.owner == a.owner and acc.limit == a.limit and refused >= 0)
        if x >= 0:
            acc = deposit(acc, x)
        else:
            acc, done = withdraw(acc, -x)
            if not done:
                refused += 1
    return acc


def transfer(src: Account, dst: Account, amount: int) -> tuple[Account, Account]:
    """Money is neither created nor destroyed."""
    requires(ok(src) and ok(dst) and amount >= 0)
    ensures(ok(result[0]) and ok(result[1]))
    ensures(result[0].balance + result[1].balance == src.balance + dst.balance)
    src2, done = withdraw(src, amount)
    if done:
        return src2, deposit(dst, amount)
    return src, dst


if __name__ == "__main__":
    alice = Account("alice", 10, limit=5)
    print(apply_all(alice, [3, -20, -18, 7]))
    print(transfer(alice, Account("bob", 0), 12))
