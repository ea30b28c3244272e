//! The scripts the simulator runs: names, versions, parameters and what their output
//! looks like.

/// A parameter of a script: its name and the value used when a run does not give one.
/// The first parameter of a script is required.
pub type ScriptParameter = (&'static str, &'static str);

pub struct Script {
    pub name: &'static str,
    pub versions: &'static [&'static str],
    pub parameters: &'static [ScriptParameter],
    pub execute_user: &'static str,
    /// Lines of output; `{n}` becomes a number.
    pub lines: &'static [&'static str],
    /// The last lines of a host where the script failed.
    pub failure: &'static [&'static str],
}

pub const SCRIPTS: &[Script] = &[
    Script {
        name: "clean_tmp.sh",
        versions: &["v1", "v2"],
        parameters: &[("target_dir", "/tmp"), ("older_than_days", "7")],
        execute_user: "root",
        lines: &[
            "+ find $TARGET_DIR -type f -mtime +$OLDER_THAN_DAYS",
            "scanning /tmp/session-{n} ...",
            "removed /tmp/cache/{n}.tmp",
            "freed {n} KiB",
            "df -h /tmp: {n}% used",
        ],
        failure: &[
            "rm: cannot remove '/tmp/lock-{n}': Operation not permitted",
            "exit code 1",
        ],
    },
    Script {
        name: "系统巡检",
        versions: &["v1", "v2", "v3"],
        parameters: &[("check_items", "cpu,mem,disk"), ("threshold", "85")],
        execute_user: "root",
        lines: &[
            "【CPU】使用率 {n}% 正常",
            "【内存】可用 {n} MiB，状态：正常",
            "【磁盘】/data 使用率 {n}%",
            "【进程】java 进程数 {n}",
            "检查项完成：{n}/12",
        ],
        failure: &["【磁盘】/var 使用率 97%，超过阈值", "巡检失败：退出码 2"],
    },
    Script {
        name: "collect_diag.py",
        versions: &["v1"],
        parameters: &[("since", "1h"), ("upload", "false")],
        execute_user: "ops",
        lines: &[
            "INFO collecting journal since {n} minutes ago",
            "INFO packed /var/log/messages ({n} lines)",
            "DEBUG dmesg: [{n}.123456] eth0: link up",
            "INFO archive size {n} KiB",
        ],
        failure: &[
            "Traceback (most recent call last):",
            "  File \"collect_diag.py\", line {n}, in <module>",
            "PermissionError: [Errno 13] Permission denied: '/var/log/secure'",
        ],
    },
    Script {
        name: "restart_service.sh",
        versions: &["v1", "v2"],
        parameters: &[("service", "nginx"), ("wait_seconds", "10")],
        execute_user: "root",
        lines: &[
            "+ systemctl restart $SERVICE",
            "waiting {n}s for the service to come up",
            "● nginx.service - A high performance web server",
            "   Active: active (running) since {n} s ago",
            "health check: HTTP 200 in {n} ms",
        ],
        failure: &[
            "Job for nginx.service failed because the control process exited with error code.",
            "health check: connection refused",
            "exit code 1",
        ],
    },
    Script {
        name: "日志清理",
        versions: &["v1"],
        parameters: &[("log_dir", "/var/log/app"), ("keep_days", "14")],
        execute_user: "root",
        lines: &[
            "正在清理 /var/log/app/app-{n}.log",
            "已删除 {n} 个文件",
            "释放空间 {n} MB",
        ],
        failure: &["清理失败：目录不存在 /var/log/app", "退出码 1"],
    },
];

pub const SCRIPT_CREATORS: &[&str] = &[
    "zhangsan",
    "li.wei",
    "wang_fang",
    "sre-oncall",
    "ops-robot",
    "alice.m",
];

pub const HOST_PREFIXES: &[&str] = &["ecs-web", "ecs-api", "ecs-db", "ecs-batch"];

pub const REGIONS: &[&str] = &["cn-north-4", "cn-east-3", "ap-southeast-3"];

/// Lines that test what a terminal receives: escape sequences (colour, a window
/// title, a cursor move), carriage-return progress, control characters, bidi and
/// invisible characters, text that was mis-decoded, characters beyond the BMP.
pub const HOSTILE_LINES: &[&str] = &[
    "\u{1b}[32m[ OK ]\u{1b}[0m started \u{1b}[1mworker\u{1b}[0m",
    "\u{1b}]0;pwned window title\u{7}title set",
    "progress 10%\rprogress 55%\rprogress 100%",
    "\u{1b}[2J\u{1b}[Hscreen cleared",
    "NUL here:\u{0}: and a bell\u{7}",
    "C1 CSI \u{9b}31mred\u{9b}0m and DEL\u{7f}",
    "bidi: invoice_\u{202e}fdp.exe",
    "zero\u{200b}width and BOM\u{feff}",
    "mis-decoded: cafÃ© rÃ©sumÃ© \u{fffd}\u{fffd}",
    "tab\tseparated\tcolumns",
    "astral: 𝕌𝕟𝕚𝕔𝕠𝕕𝕖 😀 \u{10ffff}",
    "trailing spaces and CRLF   \r",
];
