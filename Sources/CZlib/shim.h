#ifndef STREAMS_ARCHIVE_CZLIB_SHIM_H
#define STREAMS_ARCHIVE_CZLIB_SHIM_H

#include <zlib.h>

/* zlib's init entry points are macros, which Swift cannot import; these shims expose them as functions. */

static inline int czlib_deflateInit2(z_streamp strm, int level, int method, int windowBits, int memLevel, int strategy) {
    return deflateInit2(strm, level, method, windowBits, memLevel, strategy);
}

static inline int czlib_inflateInit2(z_streamp strm, int windowBits) {
    return inflateInit2(strm, windowBits);
}

#endif
