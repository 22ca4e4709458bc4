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
        return TB_TR("区划代码格式错误（应为12位数字）",
                     "malformed place code (must be 12 digits)");
    case TB_EUNKNOWN_PLACE:
        return TB_TR("区划代码不在本县区划数据中", "place code not found in the place data");
    case TB_EBADNAME:
        return TB_TR("群众姓名不能为空，且不超过64字节",
                     "client name must be non-empty, at most 64 bytes");
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
    case TB_ENOREASON:
        return TB_TR("必须写明理由或依据（不予受理、不予许可、挂起）",
                     "a written reason or basis is required (refusal, denial, suspension)");
    case TB_EMATERIAL:
        return TB_TR("该材料不在本事项的材料清单中",
                     "material not in the item's list of materials");
    case TB_ECORE:
        return TB_TR("核心材料不能容缺受理（容缺只适用于非核心材料）",
                     "a core material cannot be owed (容缺 applies to non-core materials only)");
    case TB_EAUTHORITY:
        return TB_TR("超出本节点的权限（层级或辖区不符）",
                     "beyond this node's authority (wrong level or place)");
    case TB_EONCE:
        return TB_TR("此操作每件只能做一次（一次性告知、一事一评）",
                     "this step is allowed once per case (one notice, one rating)");
    case TB_EBADVALUE:
        return TB_TR("取值无效（评价等级、挂起依据、决定或日期）",
                     "invalid value (rating, basis, decision or date)");
    case TB_EOWED:
        return TB_TR("尚有待补材料，不能进行此操作",
                     "materials are still owed; this step must wait");
    case TB_ENOMATERIAL:
        return TB_TR("必须列出至少一项材料", "at least one material must be listed");
    case TB_EAUTH:
        return TB_TR("账号或密码错误", "wrong login or password");
    case TB_ELOCKED:
        return TB_TR("账号已锁定（登录失败次数过多）",
                     "the account is locked (too many failed sign-ins)");
    case TB_EBADSIG:
        return TB_TR("数据版本没有县里的有效签名",
                     "a data version without a valid county signature");
    default:
        break;
    }
    switch (err) {
    case ENOSPC:
        return TB_TR("磁盘已满或写入失败，未写入任何内容",
                     "the disk is full or a write failed; nothing was written");
    case EBUSY:
        return TB_TR(
            "本地数据库正被其他程序占用，未写入任何内容，请稍后重试",
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
