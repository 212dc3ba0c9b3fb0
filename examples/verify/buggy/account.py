"""A bank account as a frozen dataclass (bugs: the limit check looks at the balance before
the withdrawal, and a transfer deposits even when the withdrawal was refused)."""

from dataclasses import dataclass

from quod.spec import ensures, pure, requires, result


@dataclass(frozen=True)
class Account:
    owner: str
    balance: int
    limit: int = 0


@pure
def ok(a: Account) -> bool:
    return a.limit >= 0 and a.balance >= -a.limit


def deposit(a: Account, amount: int) -> Account:
    requires(ok(a) and amount >= 0)
    ensures(ok(result))
    ensures(result == Account(a.owner, a.balance + amount, a.limit))
    return Account(a.owner, a.balance + amount, a.limit)


def withdraw(a: Account, amount: int) -> tuple[Account, bool]:
    requires(ok(a) and amount >= 0)
    ensures(ok(result[0]) and result[0].owner == a.owner and result[0].limit == a.limit)
    ensures(result[0].balance == (a.balance - amount if result[1] else a.balance))
    if a.balance < -a.limit:
        return a, False
    return Account(a.owner, a.balance - amount, limit=a.limit), True  # expect: Q0613


def transfer(src: Account, dst: Account, amount: int) -> tuple[Account, Account]:
    requires(ok(src) and ok(dst) and amount >= 0)
    ensures(result[0].balance + result[1].balance == src.balance + dst.balance)
    src2, _done = withdraw(src, amount)
    return src2, deposit(dst, amount)  # expect: Q0613
