"""Split a byte string into frames of at most frame_len bytes, and reassemble them.

Proved: reassembling the frames gives back the original bytes, every frame
but the last has exactly frame_len bytes, and no frame is empty.
"""

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
    while len(data) - i > frame_len:
        invariant(0 <= i <= len(data))
        invariant(joined(frames) == data[:i])
        invariant(all(len(frames[k]) == frame_len for k in range(len(frames))))
        frames.append(data[i : i + frame_len])
        i += frame_len
    if i < len(data):
        frames.append(data[i:])
        assert joined(frames) == data  # a hint: unfold joined() on the new list here
    return frames


def reassemble(frames: list[bytes]) -> bytes:
    ensures(result == joined(frames))
    out = b""
    for k in range(len(frames)):
        invariant(out == joined(frames[:k]))
        out = out + frames[k]
    return out


def roundtrip(data: bytes, frame_len: int) -> bytes:
    requires(frame_len > 0)
    ensures(result == data)
    return reassemble(split_frames(data, frame_len))
