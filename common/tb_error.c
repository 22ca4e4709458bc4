#include "tb_error.h"

#include "tb_i18n.h"

#include <errno.h>
#include <string.h>

const char *tb_strerror(int err)
{
    if (err < 0)
        err = -err;
    switch (err) {
    case TB_EINVAL_CODE:
        return TB_TR("区划代码格式错误（应为12位数字）", "malformed place code (must be 12 digits)");
    case TB_EUNKNOWN_PLACE:
        return TB_TR("区划代码不在本县区划数据中", "place code not found in the place data");
    case TB_EBADNAME:
        return TB_TR("群众姓名不能为空，且不超过64字节", "client name must be non-empty, at most 64 bytes");
    case TB_EBADPHONE:
        return TB_TR("联系电话格式错误（11位手机号或带区号的固定电话）",
                     "malformed phone (11-digit mobile or landline with area code)");
    case TB_EUNKNOWN_ITEM:
        return TB_TR("事项编码不在事项目录中", "service item code not in the catalog");
    case TB_EILLEGAL:
        return TB_TR("当前状态不允许此操作", "illegal step for the case's current state");
    case TB_ENOTHOLDER:
        return TB_TR("本节点不是该件的当前经办方，不能操作", "this node does not hold the case");
    case TB_ENOCASE:
        return TB_TR("没有这个办件", "no such case");
    case TB_EDECODE:
        return TB_TR("报文无法解码", "message does not decode");
    case TB_EPROTO:
        return TB_TR("报文违反协议", "message breaks the protocol");
    case TB_ECONFIG:
        return TB_TR("配置缺失或无效", "configuration missing or invalid");
    case TB_EDATA:
        return TB_TR("数据文件格式错误", "malformed data file");
    case TB_ESTORE:
        return TB_TR("本地数据库出错", "local store failed");
    case TB_ETOOLONG:
        return TB_TR("字段过长", "field too long");
    default:
        break;
    }
    switch (err) {
    case ENOSPC:
        return TB_TR("磁盘已满或写入失败，未写入任何内容",
                     "the disk is full or a write failed; nothing was written");
    case EBUSY:
        return TB_TR("本地数据库正被其他程序占用，未写入任何内容，请稍后重试",
                     "the local store is locked by another program; nothing was written, try again");
    case EACCES:
        return TB_TR("没有权限访问本地数据", "permission denied on the local store");
    case ENOMEM:
        return TB_TR("内存不足", "out of memory");
    default:
        break;
    }
    if (err > 0 && err < TB_EBASE)
        return strerror(err);
    return TB_TR("未知错误", "unknown error");
}
