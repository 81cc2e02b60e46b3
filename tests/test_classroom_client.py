"""The classroom client's reading of kernel websocket frames (text, and Jupyter's binary framing)."""
import json
import struct

from classroom.client import decode_frame
from classroom.load import percentiles


def binary_frame(message: dict, buffers: list[bytes]) -> bytes:
    """Frame a message as jupyter_server does when it carries buffers."""
    parts = [json.dumps(message).encode()] + buffers
    offsets, position = [], 4 * (len(parts) + 1)
    for part in parts:
        offsets.append(position)
        position += len(part)
    return struct.pack(f"!{len(parts) + 1}I", len(parts), *offsets) + b"".join(parts)


def test_text_and_binary_frames_give_the_message():
    message = {"header": {"msg_type": "comm_msg"}, "content": {"comm_id": "x"}}
    assert decode_frame(json.dumps(message)) == message
    assert decode_frame(binary_frame(message, [b"\x89PNG...", b"more"])) == message
    assert decode_frame(binary_frame(message, [])) == message


def test_percentiles_read_as_p50_and_p95():
    assert percentiles([]) == "—"
    assert percentiles([0.1] * 20, 1000) == "100 / 100"
