/* Shared by the AMX and XFD tests and benchmarks, the hosted xfd/linux/ tests and the
   policy lab's metal backend (support/amx.c). */
#ifndef FPULAB_AMX_H
#define FPULAB_AMX_H

#include <stdint.h>

/* Why the tile instructions cannot run here (no AMX-TILE, XCR0[18:17] not enabled),
   or NULL. */
const char *amx_missing(void);
/* x87, SSE and the two tile components: what the AMX tests save and restore, whether
   or not xsave_user_mask() holds the tiles. */
uint64_t amx_test_mask(void);
/* The TILECFG bytes of a standard-format area. */
const uint8_t *amx_tile_config_of(const uint8_t *area);

#endif
