"""Split a byte string into frames (bug: the loop also cuts a last full frame, then appends an empty one)."""

from quod.spec import decreases, ensures, invariant, pure, requires, result


@pure
def joined(frames: list[bytes]) -> bytes:
    """The concatenation of all frames."""
    decreases(len(frames))
    if len(frames) == 0:
        return b""
    return joined(frames[:-1]) + frames[-1]


def split_frames(data: bytes, frame_len: int) -> list[bytes]:
    requires(frame_len > 0)
    ensures(joined(result) == data)
    ensures(all(len(result[k]) == frame_len for k in range(len(result) - 1)))
    ensures(all(0 < len(result[k]) <= frame_len for k in range(len(result))))
    frames: list[bytes] = []
    i = 0
    while len(data) - i >= frame_len:
        invariant(0 <= i <= len(data))
        invariant(joined(frames) == data[:i])
        invariant(all(len(frames[k]) == frame_len for k in range(len(frames))))
        frames.append(data[i : i + frame_len])
        i += frame_len
    if i <= len(data):
        frames.append(data[i:])
        assert joined(frames) == data
    return frames  # expect: Q0613
