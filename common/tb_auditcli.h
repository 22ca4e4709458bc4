/* tb_auditcli: `audit [--json] [--login LOGIN] [--case ID]` at a township or
 * village: the node's audit (tb_nodeauth.h), oldest first. */
#ifndef TB_AUDITCLI_H
#define TB_AUDITCLI_H

#include "tb_place.h"

/* From argv[first..]: the exit status. */
int tb_auditcli_main(int argc, char **argv, int first, tb_level_t level);

#endif
