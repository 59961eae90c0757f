"""Set the process title of agent workers through a native shim."""
import ctypes
import ctypes.util

_libc = ctypes.CDLL(ctypes.util.find_library('c'))
_libc.strcpy.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
_libc.strcpy.restype = ctypes.c_char_p
_libc.prctl.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_ulong,
                        ctypes.c_ulong, ctypes.c_ulong]

PR_SET_NAME = 15
_TITLE_BUF = ctypes.create_string_buffer(16)


def set_worker_title(service_name, worker_id):
    """service_name is taken from the [DEFAULT] section of the service config."""
    title = ('%s-w%d' % (service_name, worker_id)).encode('utf-8')
    _libc.strcpy(_TITLE_BUF, title)
    _libc.prctl(PR_SET_NAME, _TITLE_BUF, 0, 0, 0)
    return _TITLE_BUF.value.decode('utf-8', 'replace')
