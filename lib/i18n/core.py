"""Texts of the core: the store (lib/store), boundaries (lib/geo), periods and dates (lib/periods.py),
the demo (lib/demo) and the command line (lib/cli.py). ``{name}`` placeholders are filled by ``t``."""

TEXT = {
    # joining lists in a message (lib.i18n.List)
    "list_sep": ("、", ", "),
    "list_and": ("和", " and "),
    # lib/store
    "err_store_unreachable": ("无法连接数据库:{detail}", "Cannot connect to the database: {detail}"),
    "err_store_upgrade_failed": ("数据库升级失败:{detail}", "Upgrading the database failed: {detail}"),
    "err_store_missing": ("数据库不存在:{path}。请先运行 python -m lib.cli init(或 make run)",
                          "The database does not exist: {path}. Run python -m lib.cli init (or make run) first"),
    "err_store_not_initialised": ("数据库尚未初始化。请先运行 python -m lib.cli init",
                                  "The database is not initialised yet. Run python -m lib.cli init first"),
    "err_store_old_schema": ("数据库结构版本为 {rev},当前程序需要 {head}。请运行 python -m lib.cli init 升级",
                             "The database has schema version {rev}; this program needs {head}. "
                             "Run python -m lib.cli init to upgrade it"),
    "err_backup_exists": ("备份文件已存在:{path}(请换一个文件名,避免覆盖)",
                          "The backup file already exists: {path} (choose another name; nothing is overwritten)"),
    "change_deleted": ("已删除", "deleted"),
    # lib/periods.py
    "err_period_format": ("报告期格式不正确:「{value}」,应为 YYYY-MM,例如 2022-10",
                          "Reporting period not understood: \"{value}\"; write YYYY-MM, e.g. 2022-10"),
    "err_period_month": ("报告期格式不正确:「{value}」,月份应在 1–12 之间",
                         "Reporting period not understood: \"{value}\"; the month must be 1–12"),
    "fmt_date": ("{y}年{m}月{d}日", "{d} {mon} {y}"),
    "fmt_period": ("{y}年{m}月", "{mon} {y}"),
    "err_date_value": ("日期格式不正确:「{value}」", "Date not understood: \"{value}\""),
    "err_date_format": ("日期格式不正确:「{value}」,应为 2022-03-15、2022/3/15、2022-03 或 2022年3月",
                        "Date not understood: \"{value}\"; write 2022-03-15, 2022/3/15, 2022-03 or 2022年3月"),
    # lib/geo
    "err_geo_not_geojson": ("不是有效的 GeoJSON 文件", "Not a valid GeoJSON file"),
    "geo_msg_type": ("应为 FeatureCollection、Feature 或面(Polygon/MultiPolygon)",
                     "Expected a FeatureCollection, a Feature or a polygon (Polygon/MultiPolygon)"),
    "geo_msg_not_degrees": ("坐标({lon}, {lat})不是经纬度:边界文件应使用经纬度坐标(WGS-84 或 GCJ-02),"
                            "而不是投影坐标(米)。请在 GIS 软件中另存为 EPSG:4326 后再上传",
                            "Coordinate ({lon}, {lat}) is not longitude/latitude: a boundary file must use degrees "
                            "(WGS-84 or GCJ-02), not projected metres. Save it as EPSG:4326 in a GIS program and "
                            "upload it again"),
    "geo_feature_n": ("第{n}个要素", "feature {n}"),
    "geo_msg_not_polygon": ("{label}:几何类型应为面(Polygon 或 MultiPolygon)",
                            "{label}: the geometry must be a polygon (Polygon or MultiPolygon)"),
    "geo_msg_duplicate": ("县区 {code} {name} 出现了不止一个边界", "County {code} {name} has more than one boundary"),
    "geo_pp_suffix": ("个百分点", " pp"),
    "geo_light_word": ("{light}灯", "{light} light"),
    "geo_rank": (" · 第{rank}名", " · rank {rank}"),
    # lib/demo
    "err_demo_not_empty": ("数据库中已有县区或项目数据,不能再载入示例数据(示例数据只能载入空库)",
                           "The database already holds counties or projects: the demo can only be loaded "
                           "into an empty database"),
    # lib/cli.py (the command line speaks Chinese; the English twins are for the record)
    "cli_bad_arguments": ("参数错误:{detail}(python -m lib.cli --help 查看用法)",
                          "Bad arguments: {detail} (python -m lib.cli --help shows the usage)"),
    "cli_no_such_user": ("账号不存在:{name}", "No such account: {name}"),
    "cli_user_disabled": ("账号已停用:{name}", "The account is disabled: {name}"),
    "cli_store_created": ("数据库已创建", "Database created"),
    "cli_store_upgraded": ("数据库已升级", "Database upgraded"),
    "cli_store_current": ("数据库已是最新", "Database already up to date"),
    "cli_init_done": ("{msg}(结构版本 {rev}){extra}:{url}", "{msg} (schema version {rev}){extra}: {url}"),
    "cli_demo_loaded": (",已载入示例数据", ", demo data loaded"),
    "cli_demo_kept": (",示例数据此前已载入,未作改动", ", the demo data was loaded before: left as it is"),
    "cli_date_format": ("日期格式不正确:「{value}」,应为 YYYY-MM-DD", "Date not understood: \"{value}\"; write YYYY-MM-DD"),
    "cli_no_file": ("文件不存在:{path}", "No such file: {path}"),
    "cli_import_failed": ("导入失败:{n} 处错误,未写入任何数据", "Import failed: {n} errors, nothing written"),
    "cli_written": ("已生成:{path}", "Written: {path}"),
    "cli_password_prompt": ("密码:", "Password: "),
    "cli_password_again": ("再次输入密码:", "Password again: "),
    "cli_password_mismatch": ("两次输入的密码不一致", "The two passwords differ"),
    "cli_backup_done": ("已备份 {tables} 张表、{rows} 行到 {path}", "Backed up {tables} tables, {rows} rows to {path}"),
    "cli_error": ("错误:{message}", "Error: {message}"),
    "cli_internal_error": ("内部错误:{kind}: {detail}(设置 COCKPIT_DEBUG=1 查看详情)",
                           "Internal error: {kind}: {detail} (set COCKPIT_DEBUG=1 for the details)"),
}
