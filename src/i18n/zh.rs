//! 中文. Statuses and operations are written as the COC console writes them.

use std::borrow::Cow;

use crate::coc::script::{ROTATION_CONTINUE, ROTATION_PAUSE};
use crate::coc::{
    Operation as Op, ScriptOperation as ScriptOp, ScriptStatus as Ss, Status as S, TicketKind,
};
use crate::format::{Age as When, Coarse};

use super::Msg;

/// `12分钟`, `3时12分`: short enough for the list's time columns.
fn span(span: Coarse) -> String {
    match span {
        Coarse::Seconds(s) => format!("{s}秒"),
        Coarse::Minutes(m) => format!("{m}分钟"),
        Coarse::HoursMinutes(h, m) => format!("{h}时{m:02}分"),
        Coarse::Hours(h) => format!("{h}小时"),
        Coarse::Days(d) => format!("{d}天"),
    }
}

pub(super) fn text(msg: Msg<'_>) -> Cow<'_, str> {
    use Msg::*;
    let text: &'static str = match msg {
        Verbatim(text) => return text,
        Status(status) => match status {
            S::Pending => "等待中",
            S::Running => "运行中",
            S::Succeed => "成功",
            S::Canceling => "取消中",
            S::Canceled => "已取消",
            S::Failed => "失败",
            S::Timeout => "超时",
            S::Unknown(_) => return status.label(),
        },
        ScriptStatus(status) => match status {
            Ss::Ready => "待执行",
            Ss::Processing => "执行中",
            Ss::Abnormal => "异常",
            Ss::Paused => "已暂停",
            Ss::Canceled => "已取消",
            Ss::Finished => "已完成",
            Ss::Rollbacked => "已回滚",
            Ss::Unknown(_) => return status.label(),
        },
        Loading => "加载中",
        NoData => "无数据",
        UnknownStatus => "未知",
        Age(When::Ago(ago)) => return format!("{}前", span(ago)).into(),
        Age(When::Ahead(ahead)) => return format!("{}后", span(ahead)).into(),
        RunAgain => "重新运行",
        Operation(op) => match op {
            Op::Resume => "恢复",
            Op::Terminate => "终止",
            Op::Retry => "重试",
            Op::SkipBatch => "跳过批次",
        },
        ScriptOperation(op) => match op {
            ScriptOp::PauseOrder => "暂停",
            ScriptOp::ContinueOrder => "继续",
            ScriptOp::CancelOrder => "取消",
            ScriptOp::SkipBatch { batch_index } => {
                return format!("跳过批次（第 {batch_index} 批）").into();
            }
            ScriptOp::CancelInstance { instance_id } => {
                return format!("取消主机（主机 {instance_id}）").into();
            }
        },

        SortUrgency => "紧急程度",
        SortStarted => "开始时间",
        SortName => "名称",
        SortStatus => "状态",
        TabParameters => "参数",
        TabTags => "标签",
        TabTargets => "目标",
        TabSteps => "步骤",
        TabBatches => "批次",
        TabHistory => "历史",

        Tickets(n) => return format!("{n} 个工单").into(),
        Shown(n) => return format!("，显示 {n} 个").into(),
        KindCounts {
            executions,
            scripts,
        } => return format!("（{executions} 个执行，{scripts} 个脚本工单）").into(),
        AuthFailed { age, error } => return format!(" 认证失败 {age}：{error} ").into(),
        PollingStopped => " 已停止轮询，请检查凭证",
        ConfigNotReloaded(why) => return format!(" 配置未重新加载：{why} ").into(),
        ProfileNotRunning(names) => {
            return format!("配置 {names} 是配置文件中新增的：重启后才会轮询其工单").into();
        }
        NewFailures(n) => return format!(" {n} 个新失败（n：已读） ").into(),
        Polled(age) => return format!("上次轮询 {age}").into(),
        NoPollYet => "尚无成功的轮询",
        Failing(n) => return format!("! {n} 个轮询出错").into(),
        Throttled { left, code } => return format!("被限流，{left}后再请求 {code}").into(),

        AddPrompt => "添加 ",
        AddHint => "  ID 以空格、逗号或换行分隔；# 后为标签；profile=名称",
        BrowsePrompt => "浏览 /",
        BrowseFilterHint => "  键=值：creator job job_id tags since until status",
        FilterSet(filter) => return format!("筛选 “{filter}” ").into(),
        NoticesWaiting(n) => return format!("  {n} 条通知待看").into(),
        RemoveQuestion(named) => return format!("停止关注 {named} 并从配置中删除？").into(),
        BrowseSummary {
            filter,
            loaded,
            total,
            stopped,
        } => {
            let of = total.map_or_else(String::new, |total| format!(" / {total}"));
            let stopped = stopped.map_or_else(String::new, |why| format!(" · {why}（r 重新读取）"));
            return format!("浏览：{filter} · {loaded}{of}{stopped} ").into();
        }
        AllTickets => "全部",

        HelpTitle => " 按键：任意键关闭 ",
        LegendMouse => "鼠标",
        LegendMouseText => "单击选中，滚轮滚动",
        LegendMarkers => "轮询失败 / 过时 / 缓存（尚未轮询）",

        HintMove => "移动",
        HintOpen => "打开",
        HintHosts => "主机",
        HintBack => "返回",
        HintClear => "清除",
        HintTabs => "标签页",
        HintFilter => "筛选",
        HintSort => "排序",
        HintRefresh => "刷新",
        HintReload => "重新加载",
        HintAll => "全部",
        HintActions => "操作",
        HintPin => "关注",
        HintHelp => "帮助",
        HintClosesHelp => "关闭帮助",
        HintCloses => "关闭",
        HintQuit => "退出",
        HintEdit => "编辑",
        HintAdd => "添加",
        HintKeep => "保留",
        HintApply => "应用",
        HintChoose => "选择",
        HintCancel => "取消",
        HintRemove => "删除",
        HintKeeps => "保留",
        HintCancels => "取消",
        HintSends => "发送",
        HintOutput => "输出",
        HintSideways => "左右",
        HintWrap => "换行",
        HintSearch => "搜索",
        HintMatch => "匹配",
        HintSave => "保存",
        HintOk => "确定",
        HintOverwrite => "覆盖",
        HintParameter => "参数",
        HintConfirm => "确认…",

        HelpMove => "移动选择；滚动；选择（菜单、复核）",
        HelpJump => "第一个 / 最后一个 / 上一页 / 下一页",
        HelpEnter => "打开工单；步骤或批次的主机；主机输出",
        HelpEsc => "返回上一级；在列表中：清除筛选",
        HelpTabs => "下一个 / 上一个标签页；1…5 按序号选标签页",
        HelpFilter => "筛选：文字、status=、job=、profile=、标签 k=v",
        HelpSort => "排序：紧急程度、开始时间、名称、状态",
        HelpRefresh => "立即轮询显示的工单（浏览：重新加载）/ 全部",
        HelpOperate => "操作：状态允许的操作；重新运行",
        HelpCopy => "复制 ID / 摘要；在控制台中打开",
        HelpEdit => "添加 ID（profile=名称）/ 删除（会询问）；已保存",
        HelpSeen => "新失败标为已读 / 标记，在另一工单按 = 比较",
        HelpBrowse => "浏览全部（b 返回）/ 关注一个；下一个 / 保存视图",
        HelpAndQuit => "帮助；任意键关闭弹框 / 退出、挂起、重绘",
        HelpType => "在输入行中输入：/、a、终止的确认词、参数值",
        HelpEnds => "保留 / 离开输入行、菜单或确认",
        HelpAnswer => "发送（d：删除）；其他任意键取消",
        HelpPager => "输出：左右、换行、搜索、下一个 / 上一个、保存",
        KeyText => "文字",
        KeyAny => "任意键",

        NothingWatched => {
            "没有关注的工单：在配置中添加 [[watch]] 或 [[query]]（见 \
             `coctop config path`），或按 b 浏览"
        }
        NoMatch(filter) => return format!("没有工单匹配 “{filter}”（Esc 清除筛选）").into(),
        CannotList(error) => return format!("无法列出工单：{error}（r 重试）").into(),
        NoBrowseMatch => "没有匹配的工单（/ 修改筛选）",
        NoMatchInWhatWasRead(why) => {
            return format!("已读取的工单中没有匹配的（{why}；r 重新读取）").into();
        }
        ColumnStatus => "状态",
        ColumnProfile => "配置",
        ColumnName => "名称",
        ColumnId => "执行 ID",
        ColumnTicketId => "工单 ID",
        ColumnType => "类型",
        ColumnCreator => "创建人",
        ColumnStarted => "开始",
        ColumnTook => "耗时",
        ColumnUpdated => "更新",
        ColumnTags => "标签",

        FieldStatus => "状态",
        FieldError => "错误",
        FieldJob => "作业",
        FieldStarted => "开始",
        FieldEnded => "结束",
        FieldUpdated => "更新",
        FieldAbout => "说明",
        FieldPolled => "轮询",
        FieldVersionId => "版本 ID",
        FieldTargetBy => "目标参数",
        FieldMessage => "消息",
        FieldRequest => "请求",
        FieldSteps => "步骤",
        FieldScript => "脚本",
        FieldTicket => "工单",
        FieldBatch => "批次",
        FieldHosts => "主机",
        FieldRuns => "执行方式",
        FieldCreated => "创建时间",
        ScriptVersion { version, script_id } => {
            return format!("  版本 {version}  脚本 ID {script_id}").into();
        }
        BatchOf(n) => return format!(" / 共 {n} 批").into(),
        InAll(n) => return format!("（共 {n} 台）").into(),
        TimeoutSeconds(s) => return format!("超时 {s} 秒").into(),
        SuccessRate(rate) => return format!("成功率 {rate}%").into(),
        AsUser(user) => return format!("执行用户 {user}").into(),
        TypeIs(kind) => return format!("  类型 {kind}").into(),
        By(creator) => return format!("  创建人 {creator}").into(),
        JobVersion { version, job_id } => {
            return format!("  版本 {version}  作业 ID {job_id}").into();
        }
        VersionId { version_id, id } => return format!("{version_id}  ID {id}").into(),
        EndedTook { ended, took } => return format!("{ended}，耗时 {took}").into(),
        RunningFor(took) => return format!("-（已运行 {took}）").into(),
        Never => "从未",
        NoParameters => "没有参数",
        NoTags => "没有标签",
        NoSystemTags => "没有系统标签",
        NoTargets => "没有目标",
        SectionTags => "标签",
        SectionSystemTags => "系统标签",
        StepsNotLoaded => "步骤未加载：按 r 加载",
        LoadingSteps => "正在加载步骤…",
        RRetries => "按 r 重试",
        NoSteps => "没有步骤",
        BatchesNotLoaded => "批次未加载：按 r 加载",
        LoadingBatches => "正在加载批次…",
        NoBatches => "没有批次",
        NoStatusChange => "尚未看到状态变化",
        FirstSeen => "首次看到",
        WaitingForAnswer => "等待应答",
        Accepted => "已接受",
        Refused(error) => return format!("被拒绝：{error}").into(),
        OutcomeUnknown(error) => {
            return format!("结果未知：{error}；操作可能已执行：再次发送前请先查看工单").into();
        }
        NotSentDeclined => "未发送：已拒绝",
        NotSentReadOnly => "未发送：只读",
        NotSentBecause(why) => return format!("未发送：{why}").into(),
        OutcomeUnknownTitle(op) => return format!("{op}：结果未知").into(),
        OperationSent { op, sent, outcome } => {
            return format!("{op} 于 {sent} 发送，{outcome}").into();
        }
        ColumnAction => "动作",
        ColumnMessage => "消息",

        HostsOf(step) => return format!("{step} 的主机").into(),
        HostsOfBatch(index) => return format!("第 {index} 批的主机").into(),
        LoadedOf { loaded, total } => return format!("  已加载 {loaded} / {total}").into(),
        EscBack => "  Esc 返回",
        NoHosts => "没有主机：此步骤只运行一次，不按主机运行",
        NoHostsInBatch => "此批次没有主机",
        ColumnBatch => "批次",
        ColumnHost => "主机",
        ColumnIp => "IP",
        ColumnHosts => "主机数",
        ColumnThen => "之后",
        ColumnHostsAre => "主机状态",
        ColumnOutput => "输出",
        Rotation(strategy) => match strategy {
            ROTATION_CONTINUE => "继续",
            ROTATION_PAUSE => "暂停",
            other => return other.to_string().into(),
        },
        HostCount { count, status } => {
            let status = status.map_or(Cow::Borrowed("未知"), |s| text(s.into()));
            return format!("{count} {status}").into();
        }

        ActionsTitle => " 操作 ",
        OperateOn(id) => return format!("对 {id} 执行操作：").into(),
        ConfirmTitle(op) => return format!(" 确认{op} ").into(),
        RunAgainOf(from) => return format!("重新运行 {from}").into(),
        ConfirmRunAgainTitle(from) => return format!(" 确认重新运行 {from} ").into(),
        ReviewKeys => "↑/↓ 选参数  输入以编辑，⌫ 删除  Enter 确认…  Esc 取消",
        StartIt => "开始运行？",
        StartsOtherCancels => " 开始，其他任意键取消",
        NoJobToRunAgain(id) => return format!("{id} 没有可重新运行的作业。").into(),
        StartingAgain(name) => {
            return format!("正在重新运行 {}…", name.unwrap_or("该作业")).into();
        }
        RunAgainRefused(from) => return format!("重新运行 {from} 被拒绝").into(),
        FindItWith(job) => return format!("查找它：coctop list --job-id {job} --since 2m").into(),
        StartedBadId { id, why } => {
            return format!("已开始，但新工单的 ID {id} 无效（{why}）：未关注。").into();
        }
        StartedAgain { id, from } => {
            return format!("已开始 {id}（{from} 的重新运行）；正在保存…").into();
        }
        CompareTitle => "比较",
        CompareNeedsList => "= 比较列表中的工单：请先按 p 关注此工单。",
        MarkedForCompare(id) => return format!("已标记 {id}：在另一工单按 = 比较两者").into(),
        NoLongerMarked(id) => return format!("{id} 已取消标记").into(),
        CompareOneKind => "只能比较同一类型的两个工单。",
        CompareNoData => "尚无数据：无可比较。",
        NothingDiffers => "没有差异：作业、版本、状态、参数、标签、目标和步骤均相同。",
        MoreLines(n) => return format!("… 另有 {n} 行").into(),
        StepsUnreadable { side, why } => return format!("无法读取 {side} 的步骤：{why}").into(),
        CompareWhole { a, b } => {
            return format!("全部内容（含失败主机）：coctop diff {a} {b}").into();
        }
        TypeToConfirm { word, kind, op } => {
            let noun = match kind {
                TicketKind::Execution => "执行 ID",
                TicketKind::Script => "工单 ID",
            };
            return format!("输入 {word} 或{noun} 后按 Enter，发送{op}：").into();
        }
        SendQuestion(op) => return format!("发送{op}？").into(),
        Describe {
            op,
            kind,
            id,
            job,
            status,
        } => {
            let what = match kind {
                TicketKind::Execution => "作业",
                TicketKind::Script => "脚本",
            };
            return format!("{op} {id}  {what} {job}  状态 {status}").into();
        }
        ProfilesTitle { count, names } => return format!("{count} 个配置：{names}").into(),
        ProfileCount { name, count } => return format!("{name} {count} 个").into(),
        ProfileStoppedCount { name, count } => {
            return format!("{name} {count} 个（已停止）").into();
        }
        NoSuchProfile { name, near, known } => {
            let hint = near
                .map(|n| format!("（是否要找“{n}”？）"))
                .unwrap_or_default();
            return format!("没有名为“{name}”的配置{hint}；已有：{known}").into();
        }
        ProfileStopped { profile, why } => {
            return format!("配置 {profile} 已停止轮询：{why}").into();
        }
        Destination {
            profile,
            endpoint,
            account: Some(account),
        } => return format!("配置 {profile}（{endpoint}，账号 {account}）").into(),
        Destination {
            profile,
            endpoint,
            account: None,
        } => return format!("配置 {profile}（{endpoint}）").into(),
        ReadOnlyTitle => "只读",
        OperationsOff(why) => return format!("操作已关闭：{why}。").into(),
        RunQuestion(name) => return format!("运行{name}？").into(),
        CommandExited { name, code } => return format!("{name}：退出码 {code}").into(),
        CommandKilled { name, seconds } => {
            return format!("{name}：{seconds} 秒后仍在运行，已终止").into();
        }
        CommandCannotStart { name, why } => return format!("{name} 无法启动：{why}").into(),
        NoOutput => "（无输出）",
        OutputOfStep(step) => return format!(" · 步骤 {step}").into(),
        OutputOfBatch(index) => return format!(" · 第 {index} 批").into(),
        OutputLines(n) => return format!("共 {n} 行").into(),
        OutputEmpty => "无输出",
        LineOf { line, total } => return format!("第 {line} 行，共 {total} 行").into(),
        Wrapped => "自动换行",
        AtColumn(n) => return format!("第 {n} 列").into(),
        SaveAs => "保存到 ",
        OverwriteQuestion(path) => {
            return format!("{path} 已存在：覆盖吗？y 覆盖，任意其他键保留").into();
        }
        OutputNotSaved { path, why } => return format!("未保存（{path}）：{why}").into(),
        NoFileName => "没有文件名：未保存",
        NotFound(query) => return format!("未找到 \"{query}\"").into(),
        MatchOf {
            query,
            at,
            total,
            capped,
        } => {
            let capped = if capped { "（仅前若干处）" } else { "" };
            return format!("\"{query}\" 第 {at} 处匹配，共 {total} 处{capped}").into();
        }
        EarlierLines(n) => return format!("… 之前 {n} 行").into(),
        NoValueHere(placeholder) => {
            return format!("未运行：光标处没有 {{{placeholder}}}。").into();
        }
        NothingAtCursor => "未运行：光标处没有可用的对象。",
        NothingToDoTitle => "无可执行的操作",
        NoOperationFits { id, status } => {
            return format!("没有适用于 {id}（{status}）的操作。").into();
        }
        NoDataYet => "尚无数据",
        StatusIs(status) => return format!("状态 {status}").into(),
        RefusedTitle(op) => return format!("{op}被拒绝").into(),
        RefusalTicket(id) => return format!("工单        {id}").into(),
        RefusalHttp { status, code } => {
            return format!("HTTP {status}    error_code {code}").into();
        }
        RefusalMessage(message) => return format!("消息        {message}").into(),
        RefusalRequest(id) => return format!("请求 ID     {id}").into(),
        NotCopiedTitle => "未复制",
        ConsoleTitle => "控制台",
        NoBrowser(why) => return format!("无法打开浏览器（{why}）。").into(),
        TicketInConsole => "该工单在控制台中：",
        SetConsoleUrl => "在配置的 [ui] 中设置 console_url 后可按 o 打开工单，例如",

        AlreadyWatched => "已在关注",
        AddingMore(n) => return format!("正在添加 {n} 个工单；正在保存…").into(),
        NotAddedTitle => "未添加",
        NothingAdded(why) => return format!("关注列表未做任何改动：配置无法保存：{why}").into(),
        Removed(id) => return format!("已删除 {id}；正在保存…").into(),
        Pinned(id) => return format!("已关注 {id}；正在保存…").into(),
        NoViews => "配置中没有 [[view]]：/ 筛选，V 将筛选保存为视图",
        NothingToSave => "没有可保存的筛选：按 / 输入",
        SavingView(name) => return format!("视图 “{name}”；正在保存…").into(),
        ViewActive(name) => return format!("视图：{name}").into(),
        NotAnId { piece, why } => return format!("不是执行 ID：{piece:?}：{why}").into(),
        TypeIds => "输入或粘贴执行 ID（# 后可加标签）",
        SavedTo(path) => return format!("已保存到 {path}").into(),
        NotSaved(why) => return format!("未保存：{why}").into(),
        NoConfigFile => "未保存：演示模式没有配置文件",
        NotAWatchEntry { id, path } => {
            return format!("{id} 不是 {path} 中的 [[watch]]：它来自查询（或关注），文件未改动")
                .into();
        }
    };
    Cow::Borrowed(text)
}
