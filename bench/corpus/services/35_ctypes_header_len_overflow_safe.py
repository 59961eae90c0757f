"""Decode a framed console-log record via the native ring buffer helper."""
import ctypes
import struct

_lib = ctypes.CDLL('libconsolering.so.1')
_lib.ring_copy.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_uint32]
_lib.ring_copy.restype = ctypes.c_int

HEADER = struct.Struct('!II')
RECORD_SLOT = 4096


def read_record(ring_handle, frame):
    """frame comes straight off the guest's virtio-serial channel."""
    offset, length = HEADER.unpack_from(frame)
    total = offset + length
    if total > RECORD_SLOT:
        raise ValueError('record too large')
    out = ctypes.create_string_buffer(RECORD_SLOT)
    body = frame[HEADER.size:HEADER.size + length]
    ctypes.memmove(ctypes.addressof(out) + offset, body, len(body))
    _lib.ring_copy(ring_handle, out.raw, total)
    return out.raw[offset:total]
