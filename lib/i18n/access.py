"""Texts of lib/access, the sign-in screen, the accounts page and the error boundary."""

ENUMS = {
    # lib/access/roles.py PERMISSIONS, as a refusal names them ("may not {what}")
    "permission": {
        "read": ("查看数据", "read the data"),
        "upload": ("上传数据", "upload data"),
        "upload_regions": ("上传全州基础数据", "upload prefecture-wide base data"),
        "problem_work": ("办理问题", "work on problems"),
        "problem_close": ("销号或退回问题", "close or return problems"),
        "supervise": ("督办", "supervise problems"),
        "settings": ("修改规则设置", "change the rule settings"),
        "briefing_template": ("上传或删除汇报模板", "upload or delete the slide template"),
        "undo_any": ("撤销他人的上传", "undo other people's uploads"),
        "audit_read": ("查看操作日志", "read the audit trail"),
        "quality_read": ("查看数据质量", "read the data-quality page"),
        "accounts": ("管理账号", "manage accounts"),
        "unlock": ("解除登录限制", "lift sign-in limits"),
        "link_accounts": ("设置账号的包联领导或责任单位", "link accounts to a leader or a unit"),
        "backup": ("备份数据", "back up the data"),
    },
}

TEXT = {
    # refusals (lib/access/roles.py require)
    "acc_denied": ("{who}({role})没有权限{what}", "{who} ({role}) may not {what}"),
    "acc_denied_region": ("{who}({role},{own})只能{what}本县区的数据,不能操作县区 {region}",
                          "{who} ({role}, {own}) may {what} only for their own county, not for county {region}"),
    "acc_cli_actor": ("命令行", "command line"),
    "acc_role_name": ("{code}({label})", "{code} ({label})"),
    # sign-in
    "acc_login_failed": ("用户名或密码不正确", "Wrong username or password"),
    "acc_login_wait": ("登录尝试过于频繁,请 {seconds} 秒后再试(或请项目办解锁)",
                       "Too many sign-in attempts: try again in {seconds} s (or ask the campaign office to unlock)"),
    "acc_disabled": ("账号已停用,请联系管理员", "This account is disabled: ask the administrator"),
    "acc_no_user": ("账号不存在:{name}", "No such account: {name}"),
    "acc_old_password_wrong": ("原密码不正确", "The old password is wrong"),
    "acc_last_admin_disable": ("不能停用最后一个管理员账号", "The last administrator cannot be disabled"),
    "acc_last_admin_role": ("不能取消最后一个管理员的管理员角色", "The last administrator must stay an administrator"),
    # names
    "acc_name_empty": ("用户名不能为空", "The username is empty"),
    "acc_name_long": ("用户名不能超过{n}个字符", "The username may have at most {n} characters"),
    "acc_name_chars": ("用户名只能包含英文字母、数字、汉字和 - _ . 符号", "A username may hold only letters a–z, digits, Chinese characters and - _ ."),
    "acc_name_taken": ("账号已存在:{name}", "The account already exists: {name}"),
    # passwords
    "acc_pw_short": ("密码至少需要{n}个字符", "The password needs at least {n} characters"),
    "acc_pw_long": ("密码不能超过{n}个字符", "The password may have at most {n} characters"),
    "acc_pw_common": ("密码过于常见,容易被猜中,请换一个", "This password is too common and easily guessed: choose another"),
    "acc_pw_username": ("密码不能包含用户名", "The password must not contain the username"),
    "acc_pw_simple": ("密码过于简单(不能只是空格或同一个字符重复)", "The password is too simple (not only spaces or one repeated character)"),
    # roles and regions
    "acc_role_unknown": ("角色「{role}」不存在,应为:{names}", "No role “{role}”: use one of {names}"),
    "acc_staff_region": ("县区填报员必须指定所属县区", "County staff need a county"),
    "acc_region_unknown": ("县区代码不存在:{code}", "No county with code {code}"),
    # the signing key
    "acc_secret_from_env": ("签名密钥由环境变量 COCKPIT_SECRET 提供,请更换该变量的值后重启",
                            "The signing key comes from COCKPIT_SECRET: change that variable and restart"),
    "acc_secret_rotated": ("签名密钥已更换:{path}(所有已登录的会话需重新登录)",
                           "Signing key replaced: {path} (every signed-in session must sign in again)"),
    # the command line
    "acc_cli_added": ("已新增账号:{name}({role}{region})", "Account added: {name} ({role}{region})"),
    "acc_cli_unlocked": ("已解除 {name} 的登录限制", "Sign-in limits lifted for {name}"),
    "acc_cli_password_set": ("已重置 {name} 的密码,其已登录的会话需重新登录", "Password reset for {name}; its sessions must sign in again"),
    "acc_cli_disabled": ("已停用账号:{name}", "Account disabled: {name}"),
    "acc_cli_enabled": ("已启用账号:{name}", "Account enabled: {name}"),
    "acc_cli_linked": ("账号 {name} 的关联:包联领导 {leader},责任单位 {unit}", "Account {name} linked: leader {leader}, unit {unit}"),
    # the sign-in screen and the frame
    "err_boundary": ("页面出错了,请稍后重试。如问题持续,请把参考编号 {ref} 告诉管理员。",
                     "Something went wrong on this page. Try again; if it persists, give the administrator reference {ref}."),
    # the accounts page
    "admin_unlock": ("解除登录限制", "Lift sign-in limits"),
    "admin_unlock_help": ("连续输错密码后,登录会被逐步延时;解除后该账号可立即再登录。",
                          "After wrong passwords, sign-in is delayed more and more; lifting it lets the account sign in at once."),
    "admin_unlock_done": ("已解除 {name} 的登录限制", "Sign-in limits lifted for {name}"),
    "admin_col_wait_until": ("延时至", "Delayed until"),
    "admin_office_only_unlock": ("项目办可在此解除账号的登录限制,并设置账号的包联领导或责任单位(我的项目);其他账号管理只有管理员可以操作。",
                                 "The campaign office can lift sign-in limits and link an account to its leader or "
                                 "unit (my projects) here; everything else is for administrators."),
    "admin_col_leader_name": ("包联领导", "Leader in charge"),
    "admin_col_unit_name": ("责任单位", "Responsible unit"),
    "admin_link": ("我的项目关联", "My-projects link"),
    "admin_link_help": ("把领导账号关联到项目的“包联领导”,或把单位账号关联到“责任单位”;该账号的首页先显示这些项目和问题。"
                        "名称从项目库中已有的名称中选择;选“—”即取消关联。项目办和管理员可以设置,每次修改都记入操作日志。",
                        "Link a leader's account to the projects' “leader in charge”, or a unit's account to their "
                        "“responsible unit”; that account's home then shows those projects and problems first. "
                        "Names come from the project library; “—” removes the link. The campaign office and the "
                        "administrator set this, and every change is audited."),
    "admin_link_none": ("—(不关联)", "— (none)"),
    "admin_link_save": ("保存关联", "Save the link"),
    "admin_link_done": ("已保存 {name} 的关联", "Link saved for {name}"),
    "admin_link_no_names": ("项目库中还没有包联领导或责任单位名称,请先导入项目。",
                            "The project library holds no leader or unit names yet; import projects first."),
    "admin_new_password_10": ("新密码(至少10位)", "New password (10+ characters)"),
    "admin_backup_audited": ("备份不含签名密钥;每次备份都记入操作日志。", "Backups never hold the signing key; every backup is audited."),
}
