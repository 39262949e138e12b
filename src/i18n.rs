//! The output language: which one (`--lang`, `CLAWDOC_LANG`, the locale),
//! and zh-CN derived from zh-TW.
//!
//! Text is written in English and Traditional Chinese as used in Taiwan,
//! beside each other in the data that carries it (rule files, the
//! flowchart, the CLI catalogue). Simplified Chinese is not written by hand:
//! [`to_zh_cn`] converts the zh-TW text with `zhconv` (OpenCC's tables,
//! Apache-2.0, zstd-compressed: characters and common phrases; not the
//! crate's default MediaWiki tables, which are GPL and 2.3 MB), then applies
//! [`ZH_CN_TERMS`] for the words the tables keep in their Taiwanese form or
//! translate differently from what a mainland user of a CLI expects
//! (配置 for 設定, 令牌 for 權杖, 端口 for 連接埠, …).
//!
//! [`Message`] is how the library speaks without choosing a language: a
//! catalogue id (`locales/*.ftl`) with named arguments. Its English
//! rendering is the text that JSON carries (a probe's `summary`, a fix's
//! outcome); the CLI renders the same message in the reader's language.

use std::borrow::Cow;
use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

/// The English catalogue (the CLI's too).
pub const EN_FTL: &str = include_str!("../locales/en.ftl");
/// The Traditional Chinese catalogue; zh-CN is converted from it.
pub const ZH_TW_FTL: &str = include_str!("../locales/zh-TW.ftl");

/// A text from the catalogue: an id plus named arguments. An argument is
/// plain text (a path, a number, an error from the OS) or another message,
/// rendered in the same language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    id: &'static str,
    args: Vec<(&'static str, Arg)>,
}

/// Formats one catalogue id with its (already rendered) arguments.
pub type Lookup<'a> = dyn Fn(&str, &[(&str, String)]) -> String + 'a;

/// One argument of a [`Message`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    Text(String),
    Msg(Message),
}

/// What can be a message argument: anything displayable (as text), or a
/// message.
pub trait IntoArg {
    fn into_arg(self) -> Arg;
}

impl<T: std::fmt::Display> IntoArg for T {
    fn into_arg(self) -> Arg {
        Arg::Text(self.to_string())
    }
}

impl IntoArg for Message {
    fn into_arg(self) -> Arg {
        Arg::Msg(self)
    }
}

/// `msg!("id", name = value, …)`: a [`Message`]; each value is anything
/// displayable or another message.
macro_rules! msg {
    ($id:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::i18n::Message::new($id)$(.arg(stringify!($name), $value))*
    };
}
pub(crate) use msg;

impl Message {
    pub fn new(id: &'static str) -> Self {
        Self {
            id,
            args: Vec::new(),
        }
    }
    pub fn arg(mut self, name: &'static str, value: impl IntoArg) -> Self {
        self.args.push((name, value.into_arg()));
        self
    }
    pub fn id(&self) -> &'static str {
        self.id
    }
    pub fn args(&self) -> &[(&'static str, Arg)] {
        &self.args
    }
    /// `parts` joined with `; ` as one message (`None` if there are none).
    pub fn joined(parts: Vec<Message>) -> Option<Message> {
        let mut it = parts.into_iter();
        let first = it.next()?;
        Some(it.fold(first, |acc, m| msg!("joined", first = acc, second = m)))
    }

    /// Every id this message uses (its own and its nested arguments').
    pub fn ids(&self) -> Vec<&'static str> {
        let mut out = vec![self.id];
        for (_, a) in &self.args {
            if let Arg::Msg(m) = a {
                out.extend(m.ids());
            }
        }
        out
    }

    /// Renders with `lookup(id, args)`, nested messages first.
    pub fn render_with(&self, lookup: &Lookup<'_>) -> String {
        let args: Vec<(&str, String)> = self
            .args
            .iter()
            .map(|(k, a)| {
                let v = match a {
                    Arg::Text(t) => t.clone(),
                    Arg::Msg(m) => m.render_with(lookup),
                };
                (*k, v)
            })
            .collect();
        lookup(self.id, &args)
    }

    /// The English text (what JSON carries).
    pub fn english(&self) -> String {
        let bundle = english_bundle();
        self.render_with(&|id, args| format_in(bundle, id, args).unwrap_or_else(|| id.to_string()))
    }
}

/// The English catalogue, parsed once per process (JSON's texts, and the
/// CLI's English or fallback: one parse serves both).
pub fn english_bundle() -> &'static FluentBundle<FluentResource> {
    static EN: OnceLock<FluentBundle<FluentResource>> = OnceLock::new();
    EN.get_or_init(|| fluent_bundle("en", EN_FTL.to_string()))
}

/// A [`Message`] as data, for what is kept on disk and said later in the
/// reader's language (the undo journal keeps what each fix did this way).
/// An argument is text, or a nested message.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StoredMessage {
    pub id: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<(String, StoredArg)>,
}

/// One argument of a [`StoredMessage`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum StoredArg {
    Text(String),
    Msg(StoredMessage),
}

impl From<&Message> for StoredMessage {
    fn from(m: &Message) -> Self {
        Self {
            id: m.id.to_string(),
            args: m
                .args
                .iter()
                .map(|(k, a)| {
                    let v = match a {
                        Arg::Text(t) => StoredArg::Text(t.clone()),
                        Arg::Msg(m) => StoredArg::Msg(m.into()),
                    };
                    (k.to_string(), v)
                })
                .collect(),
        }
    }
}

impl StoredMessage {
    /// Renders with `lookup(id, args)`, nested messages first, as
    /// [`Message::render_with`] does.
    pub fn render_with(&self, lookup: &Lookup<'_>) -> String {
        let args: Vec<(&str, String)> = self
            .args
            .iter()
            .map(|(k, a)| {
                let v = match a {
                    StoredArg::Text(t) => t.clone(),
                    StoredArg::Msg(m) => m.render_with(lookup),
                };
                (k.as_str(), v)
            })
            .collect();
        lookup(&self.id, &args)
    }

    /// Every id it uses (its own and its nested arguments').
    pub fn ids(&self) -> Vec<&str> {
        let mut out = vec![self.id.as_str()];
        for (_, a) in &self.args {
            if let StoredArg::Msg(m) = a {
                out.extend(m.ids());
            }
        }
        out
    }
}

/// A Fluent bundle of one catalogue source, without Unicode isolation marks
/// around arguments (the output is a terminal or JSON, where they show up
/// as stray characters).
pub fn fluent_bundle(tag: &str, source: String) -> FluentBundle<FluentResource> {
    let langid: unic_langid::LanguageIdentifier = tag.parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![langid]);
    bundle.set_use_isolating(false);
    // The sources are embedded and tested to parse; a broken one would
    // only lose its broken entries, never the program.
    let resource = FluentResource::try_new(source).unwrap_or_else(|(res, _)| res);
    let _ = bundle.add_resource(resource);
    bundle
}

/// Message `id` of `bundle` with string arguments (numbers are passed as
/// text, so no locale formatting ever changes a port or a line number), or
/// `None` when the bundle lacks it.
pub fn format_in(
    bundle: &FluentBundle<FluentResource>,
    id: &str,
    args: &[(&str, String)],
) -> Option<String> {
    let pattern = bundle.get_message(id)?.value()?;
    let mut fargs = FluentArgs::new();
    for (k, v) in args {
        fargs.set(*k, FluentValue::from(v.clone()));
    }
    let mut errors = Vec::new();
    Some(
        bundle
            .format_pattern(pattern, Some(&fargs), &mut errors)
            .into_owned(),
    )
}

/// An output language. JSON keys and rule ids never change with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, schemars::JsonSchema)]
pub enum Lang {
    #[default]
    #[serde(rename = "en")]
    En,
    #[serde(rename = "zh-TW")]
    ZhTw,
    #[serde(rename = "zh-CN")]
    ZhCn,
}

impl Lang {
    pub const ALL: &'static [Lang] = &[Lang::En, Lang::ZhTw, Lang::ZhCn];

    /// The BCP 47 tag: `en`, `zh-TW`, `zh-CN`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhTw => "zh-TW",
            Lang::ZhCn => "zh-CN",
        }
    }

    /// A tag as given to `--lang` or `CLAWDOC_LANG` (case and `_`/`-`
    /// insensitive: `zh_tw`, `ZH-tw`); `zh-Hant`/`zh-HK` read as zh-TW,
    /// `zh-Hans`/`zh-SG` as zh-CN.
    pub fn parse(s: &str) -> Option<Lang> {
        let t = s.trim().replace('_', "-").to_ascii_lowercase();
        match t.as_str() {
            "en" | "en-us" | "en-gb" | "c" | "posix" => Some(Lang::En),
            "zh-tw" | "zh-hk" | "zh-mo" | "zh-hant" => Some(Lang::ZhTw),
            "zh-cn" | "zh-sg" | "zh-hans" => Some(Lang::ZhCn),
            _ => None,
        }
    }

    /// The language a POSIX locale value asks for: `zh_TW*`/`zh_HK*` →
    /// zh-TW, `zh_CN*`/`zh_SG*` → zh-CN, anything else → English.
    pub fn from_locale(value: &str) -> Lang {
        let v = value.trim();
        let region = |p: &str| v.len() >= p.len() && v[..p.len()].eq_ignore_ascii_case(p);
        if region("zh_TW") || region("zh_HK") || region("zh-TW") || region("zh-HK") {
            Lang::ZhTw
        } else if region("zh_CN") || region("zh_SG") || region("zh-CN") || region("zh-SG") {
            Lang::ZhCn
        } else {
            Lang::En
        }
    }

    /// The language of this invocation: the flag, else `CLAWDOC_LANG`, else
    /// the first set locale variable of `LC_ALL`, `LC_MESSAGES`, `LANG`
    /// (POSIX precedence), else English. `env` reads a variable (the
    /// process environment in the binary, a map in tests). An unknown
    /// `CLAWDOC_LANG` is the error, so the caller can say so.
    pub fn choose(
        flag: Option<Lang>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Lang, UnknownLang> {
        if let Some(l) = flag {
            return Ok(l);
        }
        if let Some(v) = env("CLAWDOC_LANG").filter(|v| !v.trim().is_empty()) {
            return Lang::parse(&v).ok_or(UnknownLang(v));
        }
        for var in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            if let Some(v) = env(var).filter(|v| !v.trim().is_empty()) {
                return Ok(Lang::from_locale(&v));
            }
        }
        Ok(Lang::En)
    }

    /// The text for this language: English as is, zh-TW as written, zh-CN
    /// converted from zh-TW. A missing translation falls back to English
    /// (`rules lint` reports it).
    pub fn pick<'a>(self, en: &'a str, zh_tw: Option<&'a str>) -> Cow<'a, str> {
        match (self, zh_tw) {
            (Lang::En, _) | (_, None) => Cow::Borrowed(en),
            (Lang::ZhTw, Some(t)) => Cow::Borrowed(t),
            (Lang::ZhCn, Some(t)) => Cow::Owned(to_zh_cn(t)),
        }
    }
}

/// A `CLAWDOC_LANG` value that names no language clawdoc speaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown language {0:?} (CLAWDOC_LANG): use en, zh-TW or zh-CN")]
pub struct UnknownLang(pub String);

impl std::fmt::Display for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.tag())
    }
}

/// Terms where mainland usage differs from what the character conversion
/// gives (left: after conversion, right: what a zh-CN reader expects).
/// Longest first where one contains another.
pub const ZH_CN_TERMS: &[(&str, &str)] = &[
    ("设定档", "配置文件"),
    ("终端机", "终端"),
    ("互动询问", "交互式询问"),
    ("设定值", "配置值"),
    ("设定", "配置"),
    ("连接埠", "端口"),
    ("埠号", "端口号"),
    ("权杖", "令牌"),
    ("装置", "设备"),
    ("闸道", "网关"),
    ("行程", "进程"),
    ("执行绪", "线程"),
    ("档案", "文件"),
    ("记忆体", "内存"),
    // The kernel: 核心 in Taiwan, 内核 on the mainland.
    ("核心", "内核"),
    ("伺服器", "服务器"),
    ("网路", "网络"),
    ("预设", "默认"),
    ("指令", "命令"),
    ("日志档", "日志文件"),
    ("逾时", "超时"),
    ("登入", "登录"),
    ("连线", "连接"),
    ("钉选", "固定"),
    ("核准", "批准"),
    ("不符", "不匹配"),
    ("产生", "生成"),
    ("当掉", "崩溃"),
    ("支援", "支持"),
    ("资料", "数据"),
    ("讯息", "消息"),
    ("储存", "存储"),
    ("浏览器工作阶段", "浏览器会话"),
    ("工作阶段", "会话"),
    ("介面", "接口"),
    ("回应", "响应"),
    ("使用者", "用户"),
    ("程式", "程序"),
    ("萤幕", "屏幕"),
    ("显示器伺服器", "显示服务器"),
    ("印出", "打印"),
    ("环境变数", "环境变量"),
    ("注解", "注释"),
    ("套用", "应用"),
    // After 設定 → 配置 and 介面 → 接口 above: their other senses.
    ("未配置", "未设置"),
    ("图形接口", "图形界面"),
    ("pid 档", "pid 文件"),
    ("锁定档", "锁文件"),
    ("执行档", "可执行文件"),
    ("纪录", "记录"),
    ("身分", "身份"),
    ("贴上", "粘贴"),
    ("互动式", "交互式"),
    ("旗标", "选项"),
    ("范例", "示例"),
    ("建立", "创建"),
    ("磁碟", "磁盘"),
    ("内建", "内置"),
    ("字元", "字符"),
    ("位址", "地址"),
    ("描述元", "描述符"),
    ("正在执行", "正在运行"),
    ("执行中", "运行中"),
    ("执行环境", "运行环境"),
];

/// Simplified Chinese (mainland usage) from Traditional Chinese (Taiwan).
/// Only Han text changes: commands, keys and codes are ASCII and pass
/// through untouched.
pub fn to_zh_cn(zh_tw: &str) -> String {
    if zh_tw.is_ascii() {
        return zh_tw.to_string();
    }
    let mut s = zhconv::zhconv(zh_tw, zhconv::Variant::ZhCN);
    for (from, to) in ZH_CN_TERMS {
        if from != to && s.contains(from) {
            s = s.replace(from, to);
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn precedence_flag_env_locale_english() {
        let all = env(&[
            ("CLAWDOC_LANG", "zh-CN"),
            ("LC_ALL", "zh_TW.UTF-8"),
            ("LANG", "en_US.UTF-8"),
        ]);
        assert_eq!(Lang::choose(Some(Lang::En), &all), Ok(Lang::En));
        assert_eq!(Lang::choose(None, &all), Ok(Lang::ZhCn));
        let locale = env(&[
            ("LC_ALL", ""),
            ("LC_MESSAGES", "zh_HK.UTF-8"),
            ("LANG", "zh_CN.UTF-8"),
        ]);
        assert_eq!(Lang::choose(None, &locale), Ok(Lang::ZhTw));
        assert_eq!(
            Lang::choose(None, env(&[("LANG", "zh_SG.UTF-8")])),
            Ok(Lang::ZhCn)
        );
        assert_eq!(
            Lang::choose(None, env(&[("LANG", "fr_FR.UTF-8")])),
            Ok(Lang::En)
        );
        assert_eq!(Lang::choose(None, env(&[])), Ok(Lang::En));
        assert_eq!(
            Lang::choose(None, env(&[("CLAWDOC_LANG", "klingon")])),
            Err(UnknownLang("klingon".to_string()))
        );
    }

    #[test]
    fn a_stored_message_renders_as_the_message_did_after_a_round_trip() {
        let m = msg!(
            "fix-restarted",
            how = msg!(
                "joined",
                first = "a \"quoted\" path",
                second = msg!("undo-no-change")
            )
        );
        let json = serde_json::to_string(&StoredMessage::from(&m)).unwrap();
        let back: StoredMessage = serde_json::from_str(&json).unwrap();
        let lookup = |id: &str, args: &[(&str, String)]| format!("{id}{args:?}");
        assert_eq!(back.render_with(&lookup), m.render_with(&lookup));
        assert_eq!(back.ids(), m.ids());
        assert!(m.english().contains("a \"quoted\" path"), "{}", m.english());
    }

    #[test]
    fn parse_accepts_common_spellings() {
        assert_eq!(Lang::parse("zh_tw"), Some(Lang::ZhTw));
        assert_eq!(Lang::parse("ZH-Hant"), Some(Lang::ZhTw));
        assert_eq!(Lang::parse("zh-hans"), Some(Lang::ZhCn));
        assert_eq!(Lang::parse("de"), None);
    }

    #[test]
    fn zh_cn_sample_reads_as_mainland_usage() {
        // A person-readable sample: each line is what a zh-CN reader expects.
        let cases = [
            ("設定檔無法解析", "配置文件无法解析"),
            ("連接埠 3001 已被其他行程占用", "端口 3001 已被其他进程占用"),
            (
                "釘選閘道權杖,然後重新配對這個裝置",
                "固定网关令牌,然后重新配对这个设备",
            ),
            (
                "執行 `clawdoc config set gateway.mode local`",
                "执行 `clawdoc config set gateway.mode local`",
            ),
            ("記憶體不足,核心終止了行程", "内存不足,内核终止了进程"),
            (
                "無圖形介面:DISPLAY 與 WAYLAND_DISPLAY 都未設定",
                "无图形界面:DISPLAY 与 WAYLAND_DISPLAY 都未设置",
            ),
            ("內建閘道就是這個執行檔", "内置网关就是这个可执行文件"),
            (
                "沒有 pid 檔:沒有記錄中正在執行的閘道",
                "没有 pid 文件:没有记录中正在运行的网关",
            ),
            (
                "印出某個鍵的實際值(先看檔案,再套用環境變數覆寫)",
                "打印某个键的实际值(先看文件,再应用环境变量覆写)",
            ),
        ];
        for (tw, cn) in cases {
            assert_eq!(to_zh_cn(tw), cn, "from {tw}");
        }
    }

    #[test]
    fn pick_falls_back_to_english() {
        assert_eq!(Lang::ZhTw.pick("Port", None), "Port");
        assert_eq!(Lang::ZhTw.pick("Port", Some("連接埠")), "連接埠");
        assert_eq!(Lang::ZhCn.pick("Port", Some("連接埠")), "端口");
        assert_eq!(Lang::En.pick("Port", Some("連接埠")), "Port");
    }
}
