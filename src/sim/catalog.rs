//! The fixed vocabulary the simulator draws tickets from: jobs (runbook documents) with
//! their steps and parameters, creators, tags and host name prefixes.

/// One step of a job. `on_targets` steps run once per target instance (batch steps).
pub struct StepTemplate {
    pub name: &'static str,
    pub action: &'static str,
    pub input: (&'static str, &'static str),
    pub on_targets: bool,
}

/// A runbook document.
pub struct Job {
    pub name: &'static str,
    pub description: Option<&'static str>,
    /// Parameter names with the values a ticket may pick from.
    pub parameters: &'static [(&'static str, &'static [&'static str])],
    pub steps: &'static [StepTemplate],
}

const fn step(
    name: &'static str,
    action: &'static str,
    input: (&'static str, &'static str),
) -> StepTemplate {
    StepTemplate {
        name,
        action,
        input,
        on_targets: false,
    }
}

const fn batch_step(
    name: &'static str,
    action: &'static str,
    input: (&'static str, &'static str),
) -> StepTemplate {
    StepTemplate {
        name,
        action,
        input,
        on_targets: true,
    }
}

pub const JOBS: &[Job] = &[
    Job {
        name: "重启应用服务",
        description: Some("滚动重启应用服务进程，每批重启后检查健康状态"),
        parameters: &[
            (
                "service_name",
                &["order-service", "payment-gateway", "user-center"],
            ),
            ("batch_interval", &["30", "60", "120"]),
        ],
        steps: &[
            step("检查服务状态", "coc:checkHealth", ("endpoint", "/healthz")),
            batch_step(
                "重启服务进程",
                "coc:runScript",
                ("script", "systemctl restart app"),
            ),
            step("验证服务恢复", "coc:checkHealth", ("expect_status", "200")),
        ],
    },
    Job {
        name: "批量执行脚本",
        description: Some("在目标主机上分批执行自定义脚本"),
        parameters: &[
            (
                "script_name",
                &["clean_tmp.sh", "collect_metrics.sh", "rotate_logs.sh"],
            ),
            ("timeout", &["300", "600"]),
        ],
        steps: &[
            step(
                "下发脚本",
                "coc:uploadScript",
                ("target_dir", "/opt/coc/scripts"),
            ),
            batch_step("执行脚本", "coc:runScript", ("interpreter", "bash")),
        ],
    },
    Job {
        name: "数据库主备切换演练",
        description: Some("RDS 主备切换演练，切换前后校验复制延迟"),
        parameters: &[
            (
                "instance_name",
                &["rds-order-prod", "rds-user-prod", "rds-billing"],
            ),
            ("max_lag_seconds", &["5", "10"]),
        ],
        steps: &[
            step("检查复制延迟", "rds:checkReplication", ("max_lag", "5")),
            step("审批", "coc:approval", ("approvers", "dba-oncall")),
            step("执行主备切换", "rds:switchover", ("mode", "graceful")),
            step("切换后校验", "rds:checkReplication", ("max_lag", "5")),
        ],
    },
    Job {
        name: "清理磁盘日志",
        description: None,
        parameters: &[
            (
                "log_dir",
                &["/var/log/app", "/data/logs", "/opt/nginx/logs"],
            ),
            ("keep_days", &["3", "7", "14"]),
        ],
        steps: &[batch_step(
            "清理过期日志",
            "coc:runScript",
            ("script", "find $LOG_DIR -mtime +$KEEP_DAYS -delete"),
        )],
    },
    Job {
        name: "Restart application service",
        description: Some("Rolling restart of the application, one batch at a time"),
        parameters: &[
            (
                "service_name",
                &["checkout-api", "search-indexer", "notification-worker"],
            ),
            ("drain_seconds", &["10", "30"]),
        ],
        steps: &[
            step(
                "Drain traffic",
                "elb:removeMembers",
                ("drain_seconds", "30"),
            ),
            batch_step(
                "Restart service",
                "coc:runScript",
                ("script", "systemctl restart app"),
            ),
            step("Restore traffic", "elb:addMembers", ("weight", "100")),
        ],
    },
    Job {
        name: "Rolling upgrade of nginx",
        description: Some("Upgrade nginx to the approved version on the web tier"),
        parameters: &[
            ("version", &["1.24.0", "1.26.2", "1.27.1"]),
            ("batch_size", &["2", "4"]),
        ],
        steps: &[
            step(
                "Pre-check",
                "coc:checkHealth",
                ("endpoint", "/nginx_status"),
            ),
            batch_step(
                "Upgrade package",
                "coc:runScript",
                ("script", "yum -y update nginx"),
            ),
            step("Smoke test", "coc:checkHealth", ("endpoint", "/")),
        ],
    },
    Job {
        name: "Patch OS kernel",
        description: Some("Install the monthly kernel patch and reboot"),
        parameters: &[
            ("patch_baseline", &["2025-06", "2025-07", "2025-08"]),
            ("reboot", &["true", "false"]),
        ],
        steps: &[
            step(
                "Snapshot disks",
                "evs:createSnapshot",
                ("retention_days", "3"),
            ),
            batch_step(
                "Install patch",
                "coc:runScript",
                ("script", "yum -y update kernel"),
            ),
            batch_step("Reboot hosts", "ecs:reboot", ("type", "SOFT")),
            step("Verify kernel", "coc:runScript", ("script", "uname -r")),
        ],
    },
    Job {
        name: "Rotate TLS certificates",
        description: Some("Replace expiring certificates on the load balancers"),
        parameters: &[
            ("certificate", &["scm-wildcard-2025", "scm-api-2025"]),
            ("listener", &["https-443", "https-8443"]),
        ],
        steps: &[
            step(
                "Upload certificate",
                "elb:uploadCertificate",
                ("format", "PEM"),
            ),
            step(
                "Switch listener",
                "elb:updateListener",
                ("protocol", "HTTPS"),
            ),
        ],
    },
    Job {
        name: "Scale out ECS cluster",
        description: Some("Add capacity ahead of the evening peak"),
        parameters: &[
            ("scaling_group", &["as-web-prod", "as-api-prod"]),
            ("desired", &["6", "8", "12"]),
        ],
        steps: &[
            step("Adjust scaling group", "as:setDesired", ("cooldown", "300")),
            step("Wait for instances", "coc:sleep", ("seconds", "60")),
            batch_step("Register members", "elb:addMembers", ("weight", "100")),
        ],
    },
    Job {
        name: "Collect diagnostic logs",
        description: None,
        parameters: &[
            ("obs_bucket", &["diag-logs-prod", "diag-logs-test"]),
            ("since", &["1h", "6h", "24h"]),
        ],
        steps: &[
            batch_step(
                "Pack logs",
                "coc:runScript",
                ("script", "tar czf /tmp/diag.tgz /var/log"),
            ),
            step(
                "Upload to OBS",
                "obs:putObject",
                ("storage_class", "STANDARD"),
            ),
        ],
    },
    Job {
        name: "DB failover drill",
        description: Some("Quarterly failover drill for the primary database"),
        parameters: &[
            ("instance_name", &["rds-core-prod", "gaussdb-ledger"]),
            ("notify", &["sre-oncall", "dba-oncall"]),
        ],
        steps: &[
            step("Announce drill", "coc:notify", ("channel", "war-room")),
            step("Approval", "coc:approval", ("approvers", "sre-lead")),
            step("Fail over", "rds:switchover", ("mode", "forced")),
            step(
                "Check replication",
                "rds:checkReplication",
                ("max_lag", "10"),
            ),
        ],
    },
    Job {
        name: "刷新 CDN 缓存",
        description: Some("发布后刷新静态资源缓存"),
        parameters: &[
            ("domain", &["static.example.com", "img.example.com"]),
            ("type", &["directory", "file"]),
        ],
        steps: &[step("提交刷新任务", "cdn:refreshCache", ("mode", "all"))],
    },
];

pub const CREATORS: &[&str] = &[
    "zhangsan",
    "li.wei",
    "wang_fang",
    "chen.jie",
    "liu.yang",
    "COC-Script",
    "ops-robot",
    "sre-oncall",
    "alice.m",
    "bob.k",
];

/// Tag keys with the values a ticket may carry.
pub const TAGS: &[(&str, &[&str])] = &[
    ("env", &["prod", "staging", "test"]),
    ("team", &["sre", "dba", "payments", "web"]),
    ("app", &["checkout", "search", "ledger", "portal"]),
    ("change", &["CHG-1042", "CHG-1077", "CHG-1103", "CHG-1129"]),
];

pub const ENTERPRISE_PROJECTS: &[&str] = &[
    "0",
    "4f2d8a6c-1b3e-4c5d-9e7f-0a1b2c3d4e5f",
    "9c8b7a6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
];

/// Who starts tickets through the simulator's API.
pub const API_CREATOR: &str = "sim-user";

pub const HOST_PREFIXES: &[&str] = &["ecs-web", "ecs-api", "ecs-db", "ecs-batch", "ecs-cache"];

pub const REGIONS: &[&str] = &["cn-north-4", "cn-east-3", "ap-southeast-3"];

/// The sys tag that marks a child execution (started by another ticket).
pub const PARENT_SYS_TAG: &str = "_sys_parent_execution_id";
pub const ENTERPRISE_SYS_TAG: &str = "_sys_enterprise_project_id";
