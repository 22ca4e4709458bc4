/* tb_error: the error convention of tongban.
 *
 * Fallible functions return int: 0 on success, or a negative code: -errno for
 * system errors, or -TB_E* (below) for domain errors.  tb_strerror() names
 * either kind in the user's language (Chinese unless LANG starts with "en").
 */
#ifndef TB_ERROR_H
#define TB_ERROR_H

enum {
    TB_EBASE = 10000,
    TB_EINVAL_CODE,    /* not a 12-digit place code / unknown place */
    TB_EUNKNOWN_PLACE, /* well-formed but not in the place data */
    TB_EBADNAME,       /* client name empty or too long */
    TB_EBADPHONE,      /* phone number malformed */
    TB_EUNKNOWN_ITEM,  /* service item not in the catalog */
    TB_EILLEGAL,       /* illegal transition for the case's state */
    TB_ENOTHOLDER,     /* actor does not hold the case */
    TB_ENOCASE,        /* no such case */
    TB_EDECODE,        /* bytes do not decode as the expected message */
    TB_EPROTO,         /* decodes, but breaks the protocol (version, fields) */
    TB_ECONFIG,        /* configuration missing or invalid */
    TB_EDATA,          /* a data file is malformed */
    TB_ESTORE,         /* local store (SQLite) failed */
    TB_ETOOLONG,       /* a field is longer than allowed */
    TB_ENOREASON,      /* refusal, denial or suspension without its written reason/basis */
    TB_EMATERIAL,      /* a material the item's list does not name */
    TB_ECORE,          /* 容缺 on a core material */
    TB_EAUTHORITY,     /* beyond the sender's authority (level, place) */
    TB_EONCE,          /* a once-only step taken twice (一次性告知, 一事一评) */
    TB_EBADVALUE,      /* a rating, basis, decision or date out of range */
    TB_EOWED,          /* materials still owed (补正/容缺) block this step */
    TB_ENOMATERIAL,    /* a notice, supplement or pledge that names no material */
    TB_EAUTH,          /* unknown login or wrong password */
    TB_ELOCKED,        /* an account locked after too many failed sign-ins */
    TB_EBADSIG,        /* a data version without a valid signature by the county */
    TB_ELAST
};

/* Borrowed, static text for a negative code (or a positive errno). */
const char *tb_strerror(int err);

#endif
