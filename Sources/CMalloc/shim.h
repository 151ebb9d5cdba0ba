#ifndef STREAMS_ARCHIVE_CMALLOC_SHIM_H
#define STREAMS_ARCHIVE_CMALLOC_SHIM_H

/* glibc's allocator tuning (mallopt, malloc_trim), which Swift's Glibc module does not import. */
#include <malloc.h>

#endif
