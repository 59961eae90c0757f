"""Read hypervisor capabilities through a small native library."""
import ctypes

_lib = ctypes.CDLL('libhvcaps.so.2')
_lib.hv_caps_get.argtypes = [ctypes.c_void_p]
_lib.hv_caps_get.restype = ctypes.c_void_p
_lib.hv_caps_free.argtypes = [ctypes.c_void_p]
_lib.hv_caps_free.restype = None


class HvCaps(ctypes.Structure):
    _fields_ = [('vcpus', ctypes.c_uint32), ('memory_mb', ctypes.c_uint64),
                ('cpu_model', ctypes.c_char_p), ('nested', ctypes.c_bool)]


def get_capabilities(conn):
    ptr = _lib.hv_caps_get(conn)
    if not ptr:
        raise RuntimeError('hv_caps_get failed')
    caps = HvCaps.from_address(ptr)
    _lib.hv_caps_free(ptr)
    return {
        'vcpus': caps.vcpus,
        'memory_mb': caps.memory_mb,
        'cpu_model': caps.cpu_model.decode() if caps.cpu_model else None,
        'nested': bool(caps.nested),
    }
