"""Facts about the process and machine the kit records beside each timing."""
import os
import platform
import resource
import sys


def blas_libraries():
    """The BLAS, LAPACK and OpenMP libraries mapped into this process."""
    found = []
    try:
        with open('/proc/self/maps') as maps:
            for line in maps:
                path = line.split()[-1]
                base = os.path.basename(path).lower()
                if any(k in base for k in ('blas', 'lapack', 'gomp')) and path not in found:
                    found.append(path)
    except OSError:
        pass
    return found


def blas_variant(libraries):
    """Which BLAS torch uses: 'openblas-openmp', 'openblas-pthread', 'netlib' or 'unknown'."""
    joined = ' '.join(libraries)
    for variant in ('openblas-openmp', 'openblas-pthread'):
        if variant in joined:
            return variant
    return 'netlib' if '/blas/libblas' in joined else 'unknown'


def peak_rss_mib():
    """getrusage's ru_maxrss of this process in MiB (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if sys.platform == 'darwin':
        peak /= 1024
    return round(peak / 1024, 1)


def cpu_seconds():
    """User plus system CPU time of this process so far (all threads)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def load_1min():
    """The 1-minute load average, or None."""
    try:
        with open('/proc/loadavg') as f:
            return float(f.read().split()[0])
    except OSError:
        return None


def cpu_model():
    """The first 'model name' of /proc/cpuinfo."""
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()
