#ifndef STREAMS_ARCHIVE_CLZ4_SHIM_H
#define STREAMS_ARCHIVE_CLZ4_SHIM_H

/* LZ4 (Debian's liblz4-dev): block compression of timelines' phase-one spill files, scratch that is written
   and read back once within a build. */
#include <lz4.h>

#endif
