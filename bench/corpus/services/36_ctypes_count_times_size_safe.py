"""Python binding for a native flow-table dumper used by the SDN agent."""
import ctypes

_lib = ctypes.CDLL('libflowdump.so')
_lib.flow_dump.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t]
_lib.flow_dump.restype = ctypes.c_int
_libc = ctypes.CDLL(None)
_libc.malloc.argtypes = [ctypes.c_size_t]
_libc.malloc.restype = ctypes.c_void_p
_libc.free.argtypes = [ctypes.c_void_p]

FLOW_ENTRY_SIZE = 96


class FlowEntry(ctypes.Structure):
    _fields_ = [('cookie', ctypes.c_uint64), ('priority', ctypes.c_uint16),
                ('match', ctypes.c_char * 64), ('actions', ctypes.c_char * 22)]


def dump_flows(bridge_handle, n_flows):
    """n_flows is reported by the switch over OpenFlow (uint32 on the wire)."""
    if n_flows < 0 or n_flows > 1 << 20:
        raise ValueError('implausible flow count %d' % n_flows)
    nbytes = n_flows * FLOW_ENTRY_SIZE
    buf = _libc.malloc(nbytes)
    if not buf:
        raise MemoryError()
    try:
        _lib.flow_dump(bridge_handle, buf, n_flows)
        entries = (FlowEntry * n_flows).from_address(buf)
        return [(e.cookie, e.priority, e.match.decode()) for e in entries]
    finally:
        _libc.free(buf)
