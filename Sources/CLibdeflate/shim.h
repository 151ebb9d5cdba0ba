#ifndef STREAMS_ARCHIVE_CLIBDEFLATE_SHIM_H
#define STREAMS_ARCHIVE_CLIBDEFLATE_SHIM_H

/* libdeflate (Debian's libdeflate-dev): whole-buffer DEFLATE, used to compress sealed files' gzip members. */
#include <libdeflate.h>

#endif
