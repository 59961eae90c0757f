"""Fill the fixed-size hostname field of a DHCP option block via ctypes."""
import ctypes


class DhcpOptions(ctypes.Structure):
    _fields_ = [
        ('op', ctypes.c_uint8),
        ('hlen', ctypes.c_uint8),
        ('hostname', ctypes.c_char * 64),
        ('domain', ctypes.c_char * 128),
        ('lease_time', ctypes.c_uint32),
    ]


def build_options(hostname, domain, lease_time):
    """hostname comes from the port's dns_name attribute (set by the tenant)."""
    opts = DhcpOptions()
    opts.op = 2
    opts.hlen = 6
    raw_host = hostname.encode('idna')
    ctypes.memmove(ctypes.addressof(opts) + DhcpOptions.hostname.offset,
                   raw_host, len(raw_host))
    opts.domain = domain.encode('ascii')[:127]
    opts.lease_time = lease_time
    return bytes(opts)
