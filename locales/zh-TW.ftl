# clawdoc 的 CLI 字串,正體中文(台灣)。每個 id 都必須與 en.ftl 一一對應
# (缺少時測試會失敗);簡體中文(zh-CN)由這份檔案轉換而來。
# 指令、設定鍵、錯誤代碼(`clawdoc config set gateway.mode local`、4008、
# EADDRINUSE)一律不翻譯。

## Errors
error-prefix = 錯誤:
warning-rule-skipped = 警告:已略過規則:
error-caused-by = 原因:{ $cause }
lang-bad-env = CLAWDOC_LANG={ $value } 不是 clawdoc 支援的語言(en、zh-TW、zh-CN)

## Fix tiers
tier-safe = 安全
tier-unsafe = 不安全
tier-display-only = 僅供參考

## Doctor: areas (one per probe)
area-config = 設定檔
area-pid = pid 檔
area-lock = 鎖定檔
area-port = 連接埠
area-health = 健康檢查
area-oom = 記憶體
area-disk = 磁碟
area-token = 權杖
area-display = 顯示器
area-resources = 系統資源
area-runtime = 執行環境

## Doctor
# The target a command looks at: one description, two lines that use it.
target-default = 預設
target-by-flag = 由 --target / CLAWDOC_TARGET 指定
target-auto-var = 自動:已設定 { $var }
target-auto-config = 自動:{ $path } 存在
target-auto-process = 自動:有 openclaw-gateway 行程在執行(pid { $pid })
target-auto-none = 自動:沒有看到 OpenClaw 安裝
target-auto-profile = 自動:--profile { $name }
target-desc = { $name }({ $chosen };設定檔 { $config },連接埠 { $port })
doctor-header = clawdoc doctor:目標 { target-desc }
target-line = 目標:{ target-desc }
doctor-no-problems = 沒有發現任何問題。
doctor-log-not-analysed = 未分析日誌:規則無法建立:{ $error }
doctor-history = (日誌第 { $line } 行符合 `{ $rule }`,但這不是目前的狀況:{ $why })
doctor-dry-run = 試跑:沒有做任何變更。會執行以下修復:
doctor-none = (無)
doctor-applied = 已套用:
doctor-nothing-applied = (沒有)
doctor-after-fixing = 修復之後:
doctor-verified = 驗證:{ $mark } { $summary }
doctor-undo-journal = 可用 `clawdoc undo` 復原(紀錄:{ $journal })
doctor-left = 留給你處理:
doctor-fixed-left = 已修復 { $fixed } 項,尚餘 { $left } 項。
doctor-still-unhealthy = 閘道仍然不健康,而且沒有任何規則能解釋原因:請查看上方標示 [✗] / [?] 的項目,以及 `{ $logs }`。
doctor-problems = 發現 { $count } 個問題。執行 `clawdoc doctor --fix` 套用安全的修復(其餘的加上 `--unsafe-fixes`)。
doctor-finished = 耗時 { $ms } ms
doctor-unexplained = { $mark } 閘道不健康,而且沒有任何規則能解釋原因。請查看:
doctor-unsafe-fix = 不安全的修復
finding-log-line = 日誌第 { $line } 行:{ $text }
finding-confirmed = 已確認:{ $why }
finding-evidence = 證據:{ $what }
evidence-line = { $area }:{ $summary }
finding-fix = 修復({ $tier }):{ $title }
finding-see = 參閱:{ $section }
why-unsafe = 不安全的原因:{ $why }
prompt-apply = 要套用「{ $what }」嗎?

## Probe summaries (the library's Evidence messages; the English is what JSON carries as `summary`)
probe-internal-error = { $probe } 探測內部出錯:{ $why }
probe-thread-died = { $probe } 探測的執行緒中止了
probe-runtime-embedded = 內建閘道就是這個執行檔(沒有執行環境要檢查)
and-more = { $text }(另有 { $count } 項)
config-missing = 找不到設定檔 { $path }
config-unreadable = 無法讀取 { $path }:{ $error }
config-corrupt = 設定檔損毀:{ $error }
config-problem = { $at }:{ $problem }
config-mode-unset = { $path }:未設定 gateway.mode(閘道無法啟動)
config-token-unpinned = { $path }:有效,但 gateway.token 未釘選(重新啟動後已配對的裝置會失效)
config-valid = { $path }:有效(模式 { $mode },連接埠 { $port },權杖已釘選)
disk-no-dir = { $path } 之上沒有存在的目錄
disk-bad-fixture = 磁碟測試資料有誤:{ $why }
disk-cannot-statvfs = 無法對 { $path } 執行 statvfs:{ $error }
disk-free = 可用 { $bytes },可用 inode { $inodes } 個
disk-full = { $path } 已滿:{ $free }
disk-not-writable = 無法在 { $path } 建立檔案
disk-not-writable-because = 無法在 { $path } 建立檔案({ $error })
disk-low = { $path } 空間不足:{ $free }
disk-ok = { $path }:{ $free },可寫入
display-headless = 無圖形介面:DISPLAY 與 WAYLAND_DISPLAY 都未設定
display-graphical = 圖形工作階段({ $var }={ $value })
joined = { $first };{ $second }
pid-n = pid { $pid }
health-ready = { $url } 已就緒({ $status },{ $ms } ms)
health-not-ready = { $url } 回應 { $status },尚未就緒
health-not-ready-detail = { $url } 回應 { $status },尚未就緒:{ $detail }
health-not-clawdoc = 一個不是 clawdoc 閘道的伺服器
health-not-ours = { $url } 有回應,但那是 { $who },不是這個家目錄的閘道
health-nothing-answers = { $url } 沒有任何回應:{ $error }
health-hung = { $url } 接受了連線,但在 { $ms } ms 內沒有回應(卡住了?)
health-cannot-check = 無法檢查 { $url }:{ $error }
handshake-invalid-config = 閘道對請求回覆 `GatewayRequestError: Invalid Config`
handshake-token-mismatch = 這個 CLI 的裝置權杖被拒絕(close 4008,device token mismatch)
handshake-pairing-required = 這個 CLI 的裝置尚未配對(close 1008,pairing required)
handshake-refused = WebSocket 連線被拒絕
handshake-failed = WebSocket 握手失敗
lock-cannot-tell = 無法判斷 { $path } 是否被持有:{ $error }
lock-absent = 沒有鎖定檔 { $path }
lock-held = { $path } 由 { $who } 持有
lock-stale = 殘留的鎖定檔 { $path }:沒有行程持有它
lock-stale-left-by = 殘留的鎖定檔 { $path }:沒有行程持有它(由 pid { $pid } 留下)
oom-note-low-memory = { $text };目前記憶體不足
oom-note-cgroup-kills = { $text };這個 cgroup 有 OOM 終止紀錄
oom-no-kernel-log = 無法讀取核心日誌({ $why })
oom-killed-gateway = 核心的 OOM killer 終止了閘道(pid { $pid },{ $name })
oom-killed-others = 閘道沒有被 OOM 終止,但其他行程有({ $others })
oom-none = 核心日誌中沒有 OOM 終止紀錄
pid-file-malformed = pid 檔格式錯誤:{ $error }
pid-file-unreadable = 無法讀取 pid 檔:{ $error }
pid-gateway-hung = 閘道 pid { $pid } 處於 { $state } 狀態:它不會回應請求,也不會理會正常的停止
pid-gateway-alive = 閘道 pid { $pid } 正在執行({ $state })
proc-state-running = 執行中
proc-state-sleeping = 睡眠中
proc-state-disk-sleep = 不可中斷的睡眠(多半卡在 I/O)
proc-state-stopped = 已停止(被訊號或除錯器暫停)
proc-state-zombie = 殭屍(已結束、未被回收)
proc-state-dead = 已結束
proc-state-idle = 閒置
proc-state-other = 不明狀態
pid-stale-dead = 殘留的 pid 檔 { $path }:沒有 pid 為 { $pid } 的行程
pid-stale-stranger = 殘留的 pid 檔 { $path }:{ $reason }(那是 `{ $command }`)
pid-cannot-inspect = 無法從 { $path } 檢查 pid { $pid }:{ $error }
pid-none-lock-held = 沒有 pid 檔,但閘道的鎖由 pid { $pid } 持有
pid-none = 沒有 pid 檔:沒有記錄中正在執行的閘道
port-ephemeral-note = { $text }(連接埠 { $port } 位於核心的臨時連接埠範圍 { $lo }-{ $hi }:對外連線會占用這些連接埠;請選一個小於 { $lo } 的)
port-free = 連接埠 { $port } 未被占用
port-free-bound = 連接埠 { $port } 未被占用(已在 { $ip } 上綁定並釋放)
port-cannot-bind = 無法在 { $ip } 上綁定連接埠 { $port }:{ $error }
port-connection = 一條 { $state } 狀態、連到 { $remote } 的連線
port-socket-not-in-tables = 一個不在 TCP 表中的 socket
port-in-use-held = 連接埠 { $port } 沒有在監聽,但無法在 { $ip } 上綁定(位址已被使用):它是{ $what }的本地端,由 pid { $pid }({ $name })持有:{ $command }
port-in-use-no-owner = 連接埠 { $port } 沒有在監聽,但無法在 { $ip } 上綁定(位址已被使用):{ $what },找不到持有者
port-cannot-read-tables = 無法讀取 { $root }/net/tcp 或 tcp6
port-listening = 連接埠 { $port } 正在監聽
port-holder-hidden = 連接埠 { $port } 正在監聽,但看不到持有者({ $unreadable } 個行程的檔案描述元無法讀取;請以 root 執行)
port-holder-none = 連接埠 { $port } 正在監聽,但沒有行程擁有這個 socket(它可能剛結束)
port-cannot-scan = 連接埠 { $port } 正在監聽;無法掃描行程:{ $error }
port-held-by-gateway = 連接埠 { $port } 由閘道持有(pid { $pid })
port-held-by-other = 連接埠 { $port } 被其他行程占用:pid { $pid }({ $name }):{ $command }
resources-cannot-read = 無法讀取 { $root }/meminfo:{ $error }
resources-no-swap = 沒有 swap
resources-swap = swap 可用 { $free }(共 { $total })
resources-memory = 可用記憶體 { $available }(共 { $total }),{ $swap }
resources-memory-load = 可用記憶體 { $available }(共 { $total }),{ $swap },負載 { $load }
resources-low = 記憶體不足:{ $text }
token-ok = 閘道權杖已釘選;CLI 的裝置身分存在
token-unpinned = gateway.token 未釘選:每次重新啟動都會讓已配對的裝置失效
token-pinned-but = 閘道權杖已釘選,但{ $why }
token-but-store = { $text };但{ $why }
token-no-identity = 這個 CLI 還沒有裝置身分(尚未配對)
token-identity-unusable = 裝置身分無法使用:{ $error }
token-device-store-unreadable = 裝置儲存檔無法讀取,因此閘道拒絕所有裝置(1011):{ $error }
oc-config-not-private = { $path }:權限 { $mode },其他使用者可讀取(OpenClaw 以 0600 寫入)
oc-config-token-unset = { $path }:有效,但未設定 gateway.auth.token(每次啟動都會產生新的執行期權杖)
oc-config-valid = { $path }:有效(模式 { $mode },連接埠 { $port })
oc-no-lock = { $dir } 中沒有閘道鎖定檔(2026.8 之前的版本所用的 { $shared } 中也沒有)
oc-pid-running = 閘道以 pid { $pid } 執行({ $title },{ $state })
oc-pid-dead = 閘道鎖定檔記錄的 pid { $pid } 已不在執行
oc-pid-stranger = 閘道鎖定檔記錄的 pid { $pid } 現在是另一個行程:{ $reason }
oc-pid-cannot-look = 無法檢查 pid { $pid }:{ $error }
oc-lock-stale = 殘留的鎖定檔 { $path }:持有者已不存在
oc-lock-held = { $dir } 由執行中的閘道持有
oc-locks-fine = 有閘道鎖定檔,沒有殘留的
oc-health-refused = { $url } 沒有任何回應({ $error })
oc-health-hung = { $url }/healthz 接受了連線,但在 { $ms } ms 內沒有回應(卡住了?)
oc-health-cannot-connect = 無法連線到 { $url }:{ $error }
oc-health-error = { $url }/healthz:{ $error }
oc-health-ready = { $url }:存活且已就緒({ $ms } ms)
oc-health-not-ready = { $url }:/readyz 回應 { $code }(尚未就緒)
oc-health-failing = { $url }:/readyz 回應 { $code }(尚未就緒,失敗項目:{ $failing })
oc-health-live-only = { $url }:存活,但 /readyz 沒有回應
oc-health-answers = { $url }/healthz 回應 { $code }
oc-disk-logs-state = 日誌:{ $logs };狀態:{ $state }
oc-disk-state-logs = 狀態:{ $state };日誌:{ $logs }
oc-disk-large-log = { $text };{ $path } 有 { $size }
oc-token-unreadable = 無法讀取權杖設定:{ $error }
oc-token-from-env = 權杖來自 OPENCLAW_GATEWAY_TOKEN
oc-token-set = 已設定 gateway.auth.token(會保存)
oc-token-runtime-only = 執行中的閘道使用只存在於執行期的權杖:每次重新啟動都會換新,已配對的用戶端會被拒絕(4008)
oc-token-unset = 未設定 gateway.auth.token:每次啟動都會產生不同的執行期權杖
oc-node-from-log = 閘道日誌
oc-node-from-package = 執行中閘道的 node 套件
oc-node-unseen = 看不到 Node 版本(沒有閘道日誌,也沒有執行中的閘道)
oc-node = Node { $version }(來自{ $source })
oc-node-unsupported = Node { $version }(來自{ $source }):OpenClaw 需要 >= 24.16 或 >= 26.1(node:sqlite)

## Lookup
lookup-what-it-means = 這代表什麼
lookup-why = 常見原因
lookup-fixes = 修復方式
lookup-unsafe-because = 不安全的原因:{ $why }
lookup-fix-hint = `clawdoc doctor --fix` 會套用安全的修復;其餘的加上 --unsafe-fixes。
lookup-flowchart = 流程圖:
lookup-confirm = 在這台機器上確認:
lookup-confirm-how = clawdoc lookup --probe … 或 clawdoc doctor(探測項目:{ $probes })
lookup-line = 第 { $line } 行:{ $text }
lookup-line-no = 第 { $line } 行
lookup-captured = 擷取到:{ $captures }
lookup-other = 其他可能的原因
lookup-paste = 貼上錯誤訊息或日誌片段,然後按 Ctrl-D(或直接當作參數傳入)。
lookup-empty = 沒有符合的規則:輸入是空的。
lookup-empty-hint = 貼上一則錯誤訊息:clawdoc lookup 'gateway not connected',或從標準輸入傳入日誌片段。
lookup-routine-only = 沒有需要修復的問題:只比對到例行訊息。
lookup-routine = 例行訊息(正常運作的閘道也會印出,不是原因)
lookup-no-match = 沒有符合的規則。
lookup-template = 你的輸入轉成的範本(數字、連接埠、PID、ID 與路徑已遮蔽):
lookup-more-lines = …(還有 { $count } 行)
lookup-possible = 可能的原因(依相似措辭推測,並非比對結果)
lookup-possible-score = (分數 { $score },第 { $line } 行)
lookup-possible-hint = 這些只是推測:請先用 `clawdoc lookup --probe` 或 `clawdoc doctor` 確認再採取行動。
lookup-closest = 最接近的規則
lookup-similarity = (相似度 { $score })
lookup-teach = 教 clawdoc 認得這則訊息
lookup-teach-hint = (會以你貼上的內容作為第一個範例,建立一個規則檔;編輯後執行 `clawdoc rules test`)
lookup-nothing-to-probe = 沒有符合的規則,所以沒有需要探測的項目。試試 `clawdoc doctor`。
lookup-checked = 在這台機器上的檢查結果:
verdict-confirmed = 已確認
verdict-refuted = 已排除
verdict-inconclusive = 無法判定
lookup-run-fix = 執行 `clawdoc doctor --fix`,為已確認的問題套用安全的修復。

## Walk
walk-no-tty = `clawdoc walk` 需要回答問題,但標準輸入不是終端機:請傳入 --answers FILE,或執行 `clawdoc doctor` 進行非互動式診斷
walk-probed-first = 已先探測這台機器;只會詢問探測無法判斷的部分。
walk-could-not-tell = (探測無法判斷:{ $why })
walk-how = 診斷經過:
walk-by-probes = 探測:{ $why }
walk-by-log = 閘道日誌顯示 { $category }
walk-by-message = 你的訊息看起來是 { $category }
answer-yes = 是
answer-no = 否
walk-by-you = 你的回答
walk-confirmed = 已在這台機器上確認:{ $why }
walk-refuted = 探測目前看不到這個問題:{ $why }
walk-inconclusive = 探測無法確認:{ $why }
walk-what-to-do = 該怎麼做:{ $title }
walk-fix = 修復({ $tier }):{ $title }
walk-after-still = 修復之後:問題仍然存在
walk-after-gone = 修復之後:問題已解決
walk-undo = 可用 `clawdoc undo` 復原。
walk-no-answer = { $file }:已經沒有答案可以回答:{ $question }
walk-not-a-choice = { $place }:`{ $answer }` 不是「{ $question }」的選項(1–{ $max })
walk-not-yes-no = { $place }:`{ $answer }` 不是「{ $question }」的是/否回答
walk-unknown-rule = 流程圖指向規則 `{ $rule }`,但它沒有被載入

## Rules
rules-did-you-mean = (你是不是要找 `{ $id }`?)
rules-no-such = 沒有規則 `{ $id }`{ $hint };`clawdoc rules list` 會列出全部
rules-show-line = 分類 { $category } · 嚴重程度 { $severity } · { $role } · 來源 { $origin }
rules-show-patterns = 樣式
rules-show-conditions = 探測條件
rules-show-conditions-standalone = 探測條件(獨立:只靠事實就會提出)
rules-show-confirmed = 確認
rules-show-refuted = 否定
rules-show-when = { $side }條件:{ $conditions }
rules-show-and = { " " }且{ " " }
rules-show-examples = 範例
rules-show-match = 符合:
rules-show-no-match = 不符合:
rules-test-summary = { $rules } 條規則,{ $examples } 個範例:{ $failed } 個失敗
rules-test-not-loaded = ,{ $count } 個規則檔無法載入
lint-summary = 已載入 { $rules } 條規則,{ $problems } 個問題,{ $untranslated } 處未翻譯

# `clawdoc rules eval`
eval-head = { $files }:{ $rows } 列({ $in_category } 列屬於某分類,{ $other } 列為 other),{ $rules } 條規則,{ $mode }
eval-mode-patterns = 只計樣式比對
eval-mode-guesses = 樣式比對,沒有比對到時採用改寫階段的猜測
eval-overall = 整體:第一名正確 { $top1 },誤報 { $fp }
eval-by-split = 依資料切分
eval-by-source = 依來源
eval-by-category = 依分類
eval-confusion = 混淆矩陣(列:標記;欄:預測,編號同列;無:沒有預測)
eval-misses = 未命中({ $count })
eval-no-misses = 沒有未命中。
eval-misses-hidden = 保留測試列(split = test)的 { $count } 個未命中未顯示:調整規則時別看它們(--show-test-misses 會列出)
eval-loso = 逐一排除來源(每個來源用規則範例加上其他來源的列建立的索引來猜測;樣式比對不變)
eval-col-split = 切分
eval-col-source = 來源
eval-col-rows = 列數
eval-col-top1 = 第一名正確
eval-col-fp = 誤報
eval-col-guessed = 猜測
eval-col-category = 分類
eval-col-predicted = 預測
eval-col-correct = 正確
eval-col-precision = 精確率
eval-col-recall = 召回率
eval-col-id = ID
eval-col-label = 標記
eval-col-got = 結果
eval-col-text = 文字
eval-col-index-rows = 索引列數
eval-col-top1-patterns = 第一名(樣式)
eval-col-top1-guesses = 第一名(含猜測)
eval-col-fp-patterns = 誤報(樣式)
eval-col-fp-guesses = 誤報(含猜測)
eval-none = 無
eval-other = other
eval-guess-mark = (猜測)
eval-floor-min-top1 = 第一名正確至少 { $floor }
eval-floor-max-fp = 誤報至多 { $floor }
eval-floor-met = 達到門檻:{ $floor }(實測 { $value })
eval-floor-missed = 未達門檻:{ $floor }(實測 { $value })
eval-floor-nothing = 沒有可量測的列

## Fix actions (what a fix does, shown before it runs)
action-write_default_config = 寫入預設設定檔(模式 local、空閒的連接埠、釘選的權杖)
action-set_mode_local = 設定 gateway.mode = "local"
action-migrate_deprecated_keys = 把已棄用的鍵搬到新名稱(model → ai.model、port → gateway.port)
action-quarantine_corrupt_config = 把損壞的設定檔移到一旁,並寫入預設設定檔
action-raise_startup_timeout = 把 gateway.startupTimeout 提高到 120 秒
action-start_gateway = 啟動閘道,並等到它就緒
action-restart_gateway = 重新啟動閘道
action-force_stop_gateway = 強制停止已驗證的閘道行程(SIGKILL)
action-remove_stale_pid = 修復過期的 pid 檔(移除它,或讓它重新指向持有鎖定的閘道)
action-remove_stale_lock = 移除過期的鎖定檔
action-move_to_free_port = 把閘道移到空閒的連接埠
action-pin_token_and_repair = 釘選 gateway.token,並重新配對這個 CLI 的裝置
action-approve_cli_device = 讓這個 CLI 的裝置與閘道配對
action-rebuild_device_store = 把無法讀取的裝置儲存檔移到一旁,建立新的,並重新配對這個 CLI(其他裝置必須重新配對)
action-advice = 顯示該怎麼做

## Why a rule is confirmed, refuted or undecided (conditions against probe facts)
cond-is-reported = { $fact } 有回報
cond-is-not-reported = { $fact } 沒有回報
cond-observed = { $cond }(觀察到 { $value })
cond-reported = { $cond }:有回報
cond-not-reported = { $cond }:沒有回報
cond-not-run = `{ $probe }` 探測沒有執行({ $cond })
cond-inconclusive = `{ $probe }` 探測無法判定:{ $why }
cond-no-fact = `{ $probe }` 探測沒有回報 `{ $fact }`
verdict-no-conditions = 規則 `{ $rule }` 沒有宣告任何探測條件
verdict-no-confirm = 沒有宣告確認條件
verdict-not-confirmed = 未確認:{ $why }

## What a fix did, or why it did nothing (the library's messages; the English is what JSON carries)
fix-failed = { $action }:{ $error }
fix-not-applied = { $action }:未套用:{ $reason }
fix-config-exists = 設定檔已經存在
fix-no-config = 沒有設定檔
fix-no-deprecated-keys = 已經沒有過時的鍵
fix-advice-never-applied = 僅供顯示的建議不會被套用
fix-nothing-to-change = 沒有需要變更的地方
fix-quarantined = 已把損毀的設定檔保留為 { $aside },並寫入預設設定檔
fix-port-now = { $text }:gateway.port = { $port }
fix-backup = { $text }(備份:{ $backup })
fix-already-running = 閘道原本就在執行(pid { $pid })
fix-started = 已啟動閘道(pid { $pid },連接埠 { $port }),耗時 { $ms } ms
fix-restarted = 已重新啟動閘道({ $how })
fix-force-stopped = 已強制停止閘道(pid { $pid })
fix-nothing-to-stop = 沒有要強制停止的:{ $why }
fix-no-pid-file = 沒有 pid 檔
fix-pid-is-live = pid { $pid } 是執行中的閘道
fix-pid-unknown = 無法判斷 pid { $pid } 是誰:{ $error }
fix-pid-rewritten = 已為執行中的閘道重寫殘留的 pid 檔 { $path }(pid { $pid },它持有鎖)
fix-pid-removed = 已移除殘留的 pid 檔 { $path }
fix-no-lock-file = 沒有鎖定檔
fix-lock-held = 鎖被一個執行中的行程持有
fix-lock-removed = 已移除殘留的鎖定檔 { $path }
fix-pinned-token = 已釘選新的 gateway.token
fix-store-aside = 已把無法讀取的裝置儲存檔保留為 { $aside }
fix-repaired = 已重新配對這個 CLI 的裝置
fix-store-unreadable = 裝置儲存檔無法讀取;`rebuild_device_store`(不安全)會把它移到一旁
fix-paired = 已將這個 CLI 的裝置與閘道配對
fix-store-readable = 裝置儲存檔可以讀取
fix-store-rebuilt = 已把無法讀取的裝置儲存檔保留為 { $aside },建立新的儲存檔並重新配對這個 CLI 的裝置(其他裝置必須重新配對)
fix-start-already = 原本就在執行,pid { $pid },連接埠 { $port }
fix-start-pid-port = pid { $pid },連接埠 { $port }
fix-stop-not-running = 沒有執行中的閘道
fix-stop-stopped = 已停止 pid { $pid }
fix-stop-stale-removed = 已移除殘留的 pid 檔(pid { $pid } 已不存在)
fix-stop-stranger = pid 檔記錄的 pid { $pid }({ $name })不是閘道;沒有動它
fix-stop-malformed-removed = 已移除格式錯誤的 pid 檔({ $error })
fix-oc-no-cli-run = PATH 中找不到 openclaw;請執行:{ $commands }
fix-oc-no-cli = PATH 中找不到 openclaw
fix-oc-no-such-action = OpenClaw 沒有這個動作;請看列出的指令
fix-oc-no-pid-file = OpenClaw 不使用 pid 檔(它的鎖定檔記錄 pid)
fix-oc-wrote-config = $ { $command }:已寫入 { $path }(模式 local,會保存的權杖)
fix-oc-ran = $ openclaw { $command }
fix-oc-command = $ { $command }
fix-oc-quarantined = 已把損毀的設定檔保留為 { $aside };$ { $command }
fix-oc-nothing-to-stop = 沒有已驗證的閘道行程可以停止
fix-oc-killed = $ kill -{ $signal } { $pid }(openclaw-gateway,已驗證)
fix-oc-no-stale-lock = 沒有持有者已消失的鎖定檔
fix-oc-locks-removed = 已移除殘留的鎖定檔:{ $paths }
fix-oc-started = $ { $command }:pid { $pid },連接埠 { $port } 上的 /readyz 在 { $secs } 秒後回應 200
fix-oc-service-started = $ openclaw gateway start:連接埠 { $port } 上的 /readyz 在 { $secs } 秒後回應 200
fix-oc-gone = 閘道已不在執行
fix-oc-pid-changed = pid { $pid } 已不再是這個狀態目錄的閘道
fix-oc-pid-unproven = 無法證明 pid { $pid } 是閘道
fix-no-journal = 未套用:無法寫入復原紀錄:{ $error }
fix-nothing-to-do = 不需要做什麼:{ $reason }
verify-connected = 閘道已就緒;這個 CLI 的裝置已連線
verify-ready = 閘道已就緒(/readyz 200)
verify-handshake = 閘道已就緒;裝置握手:{ $handshake }
verify-not-probed = 沒有探測健康狀態

## Why a fix was left for you
reason-display-only = 僅供參考
reason-dry-run = 試跑
reason-declined = 已拒絕
reason-needs-fix = 需要 --fix
reason-needs-unsafe-fixes = 需要 --unsafe-fixes
reason-failed = 失敗或沒有幫助

## Gateway control (gateway start/stop/restart/status, status, restart)
gw-already-running = 閘道已經在執行(pid { $pid },連接埠 { $port })
gw-started = 閘道已啟動(pid { $pid },連接埠 { $port });{ $ms } ms 後就緒
gw-not-running = 閘道沒有在執行(沒有 pid 檔)
gw-stopped = 閘道已停止(pid { $pid },SIGTERM,{ $ms } ms)
gw-killed = 閘道已被強制終止(pid { $pid },SIGKILL);已移除 pid 檔
gw-stale-removed = 閘道沒有在執行:已移除殘留的 pid 檔(pid { $pid } 已不存在)
gw-stale-stranger =
    閘道沒有在執行:pid 檔已過時({ $reason })。
    pid { $pid } 現在屬於 `{ $command }`;沒有對它送出訊號。
gw-stale-stranger-removed = 已移除殘留的 pid 檔。
gw-malformed-removed = 閘道沒有在執行:已移除格式錯誤的 pid 檔({ $error })
gw-at-pid = pid { $pid },連接埠 { $port },模式 { $mode }
gw-at = 連接埠 { $port },模式 { $mode }
gw-status-running = 閘道執行中({ $at });/health 在 { $ms } ms 內就緒
gw-status-starting = 閘道啟動中({ $at });/health 回應 { $status }
gw-status-stopped = 閘道已停止({ $at })
gw-status-other = 閘道 { $state }({ $at })
gw-config-error = 設定檔:{ $error }
gw-last-log-lines = 閘道日誌的最後幾行:
gw-hint = 提示:{ $hint }
gw-hint-force-stop = 執行 `clawdoc gateway stop --force`(只會對驗證過的閘道 pid 送出 SIGKILL),再執行 `clawdoc gateway start`
gw-hint-see-logs = 查看 `clawdoc logs`,或執行 `clawdoc doctor` 找出原因
client-hint-not-connected = 閘道沒有在執行:`clawdoc gateway start`(或 `clawdoc doctor`)
client-hint-token-mismatch = 這個裝置配對之後閘道權杖換了(沒有釘選?):`clawdoc doctor --fix` 會釘選它並重新配對
client-hint-pairing-required = 這個裝置尚未配對:`clawdoc devices list`,再 `clawdoc devices approve ID`
client-hint-invalid-config = `clawdoc config validate` 會列出有問題的鍵;修正後重新啟動閘道
client-hint-no-display = 這台主機沒有顯示器:改用 telegram 或 API 提供者,或在桌面工作階段中執行閘道
gw-note-stale-removed = 注意:已移除殘留的 pid 檔(pid { $pid } 已不存在)
gw-note-stranger-removed = 注意:已移除殘留的 pid 檔:{ $reason };沒有動 pid { $pid }({ $name })
gw-note-malformed-removed = 注意:已移除格式錯誤的 pid 檔:{ $error }
gw-progress-existing = 有一個閘道(pid { $pid })正在啟動;等待 /health
gw-progress-spawned = 正在啟動閘道(pid { $pid }),連接埠 :{ $port }
gw-progress-waiting = 等待 /health({ $secs } 秒)
gw-progress-waiting-seen = 等待 /health({ $secs } 秒,/health { $status })

## scan
scan-head = { $name }:{ $lines } 行,符合 { $matched } 行
scan-no-match = 沒有規則符合
scan-col-rule = 規則
scan-col-category = 分類
scan-col-count = 次數
scan-col-first = 第一行
scan-col-last = 最後一行
scan-col-sample = 範例
scan-explain-one = 查看說明:clawdoc rules show <規則>,或 clawdoc lookup '<那一行>'
scan-head-routine = ,例行 { $routine } 行
scan-routine = 例行訊息(健康的閘道也會印出,不是問題):

## devices, send, login
devices-paired = 已配對的裝置({ $count }):
devices-paired-at = 配對於 { $when }
devices-pending = 等待中的請求({ $count }):
devices-requested = 來自 { $peer }  請求於 { $when }
devices-approve-hint = 核准方式:clawdoc devices approve ID
devices-approved = 已核准 { $id }:它下次以同一個聲明連線時會收到裝置權杖(僅此一次)
devices-already-paired = { $id } 已經配對
devices-removed = 已移除已配對的裝置 { $id }:它必須重新配對
devices-dropped = 已放棄 { $id } 的配對請求
send-sent = [{ $channel }] 已送出 { $chars } 個字元
send-failed = [{ $channel }] 送出失敗
login-open-url = [{ $provider }] 開啟這個網址來連結裝置:{ $url }
login-done = [{ $provider }] 已登入
login-failed = [{ $provider }] 登入失敗

## logs
logs-none-yet = 還沒有閘道日誌:{ $path } 不存在
logs-waiting = 等待 { $path } 出現…

## setup, config
setup-exists = { $path } 已經有設定檔;加上 --force 取代它(舊的會保留為備份),或用 `clawdoc config set` 修改個別的鍵
setup-no-tty = `clawdoc setup` 會詢問問題,需要終端機;沒有終端機時請執行 `clawdoc setup --non-interactive [--mode local] [--port N]`
setup-token-kept = 保留原本釘選的權杖
setup-token-new = 新的釘選權杖
setup-wrote = 已寫入 { $path }(模式 { $mode },連接埠 { $port },{ $token };檔案權限 0600)
setup-backup = 先前的設定檔保留為 { $path }
setup-next = 下一步:`clawdoc gateway start`

## 檔案與輸入錯誤、`rules new`、`setup` 的提問
err-reading = 讀取 { $path } 時出錯
err-writing = 寫入 { $path } 時出錯
err-creating = 建立 { $path } 時出錯
err-opening = 無法開啟 { $path }
err-reading-stdin = 讀取標準輸入時出錯
err-writing-journal = 寫入復原紀錄時出錯
err-not-utf8-not-editing = { $path }:{ $line }:{ $col }:這個檔案不是有效的 UTF-8(已損壞或是二進位檔);不修改它
err-not-editing = { $what };不修改它
err-no-schema = 沒有名為 `{ $name }` 的結構描述;可用的有:{ $names }
lookup-batch-not-json = <stdin>:{ $line }:{ $col }:不是 JSON 字串:{ $error }
rules-new-no-dir = 沒有規則目錄:請加上 --dir 或 --rules-dir
rules-new-empty-paste = 貼上的內容是空的:請以 TEXT 參數或標準輸入提供訊息
rules-new-invalid =
    無法產生 `{ $id }` 的規則骨架:
    { $errors }
rules-new-exists = { $path } 已存在;請換一個 id,或直接編輯它
rules-new-wrote = 已寫入 { $path }
rules-new-next = 下一步:編輯它,然後執行 `clawdoc rules test`(它從 { $dir } 載入)
setup-ask-mode = 閘道模式
setup-ask-port = 閘道連接埠
setup-ask-mode-local = local  — 只在 127.0.0.1 上監聽(建議)
setup-ask-mode-remote = remote — 在所有網路介面上監聽
setup-ask-mode-hybrid = hybrid — 所有網路介面;本機 CLI 經由 loopback 仍受信任
setup-ask-failed = 讀取回答時出錯
config-set-done = 已在 { $path } 中將 { $key } 設為 { $value }
config-unset-done = 已從 { $path } 移除 { $key }
config-unset-absent = { $path } 中沒有設定 { $key }
config-get-ignored = 警告:{ $at }:{ $problem };這個值會被忽略
config-get-unset = 沒有設定 { $key }
config-valid-ok = { $path }:沒有問題
config-problems = { $path } 中有 { $count } 個問題

## Undo
undo-run = 已復原 doctor 執行紀錄 { $run }:
undo-restored = 已還原 { $path }
undo-removed = 已移除 { $path }(它原本不存在)
undo-not-reverted = 未復原(行程層面的變更):{ $what }
undo-no-change = 沒有任何檔案被改動
undo-nothing = 沒有可復原的項目:{ $dir } 中沒有套用過修復的 doctor 執行紀錄

## Command line help (clap): shown in zh-TW/zh-CN; English keeps clap's own texts
help-usage = 用法:
help-commands = 命令
help-arguments = 參數
help-options = 選項
clap-unknown-command = 無法識別的子命令「{ $name }」
clap-unknown-argument = 無法識別的參數「{ $arg }」
clap-missing-argument = 缺少必要的參數:{ $arg }
clap-invalid-value = 「{ $arg }」的值「{ $value }」無效
clap-invalid-value-one-of = 「{ $arg }」的值「{ $value }」無效(可用的值:{ $valid })
clap-did-you-mean = 提示:有個相近的:「{ $what }」
clap-more-help = 更多說明請加上 '--help'。
arg-color = 何時使用色彩輸出(`auto` 時會遵守 NO_COLOR)
arg-lang = 輸出語言:en、zh-TW 或 zh-CN(否則看 CLAWDOC_LANG,再看語系:LC_ALL、LC_MESSAGES、LANG;都沒有就用英文)
arg-rules-dir = 額外的規則目錄(id 相同的規則會取代內建規則)
arg-target = 要診斷與修復哪個閘道:embedded、openclaw 或 auto
arg-json = 以 JSON 輸出,而不是文字
about = 診斷並修復 OpenClaw 類型的 AI 閘道:貼上錯誤訊息、執行健檢,或依流程圖逐步排查
about-lookup = 解釋貼上的錯誤訊息或日誌片段(沒有 TEXT 時讀取標準輸入)
about-scan = 用規則掃描日誌檔:次數、第一行與最後一行、範例
about-rules = 列出、顯示、測試、檢查規則並為其評分;印出其樣式;建立新規則
about-rules-list = 列出每條規則及其分類、嚴重程度與來源
about-rules-show = 顯示一條規則:意義、原因、樣式、探測、修復、範例
about-rules-test = 執行每條規則的範例:Missing(應符合卻沒有)、Noisy(符合了但不應該)
about-rules-lint = 檢查每個規則檔,以 file:line:col 回報問題
about-rules-eval = 用已標記的貼上文字為規則評分:第一名正確率、誤報、各分類、未命中
about-rules-patterns = 印出每個樣式,一行一個(可用於 `rg -f`;去掉擷取名稱)
about-rules-facts = 列出規則條件可以使用的探測事實
about-rules-new = 建立規則檔的骨架,例如從一則沒有規則認得的訊息
about-doctor = 探測這台機器,解釋找到的每個問題,並在旗標允許的範圍內修復
about-undo = 復原上一次 `doctor --fix` 套用的修復
about-walk = 互動式地依排查流程圖逐步進行(先由探測回答)
about-flowchart = 從規則資料畫出流程圖
about-schema = 印出 `--json` 文件的 JSON Schema(也在 docs/schemas/ 中)
about-gateway = 執行並控制內建閘道
about-gateway-run = 在前景執行閘道(Ctrl-C 或 SIGTERM 會停止它)
about-gateway-start = 在背景啟動閘道,並等到 /health 就緒
about-gateway-stop = 停止閘道(只會對驗證過的閘道 pid 送出訊號)
about-gateway-restart = 重新啟動閘道
about-gateway-status = 顯示閘道狀態
about-restart = 重新啟動閘道(同 `gateway restart`)
about-status = 顯示閘道是否在執行並有回應(同 `gateway status`)
about-logs = 顯示閘道日誌
about-setup = 寫入設定檔:模式、連接埠與釘選的權杖
about-config = 讀取並修改閘道設定(保留註解)
about-config-get = 印出某個鍵的實際值(先看檔案,再套用環境變數覆寫)
about-config-set = 設定某個鍵;會檢查值並保留檔案中的註解
about-config-unset = 從檔案中移除某個鍵
about-config-validate = 以 file:line:col 列出設定中的每個問題
about-config-path = 印出設定檔路徑
about-devices = 列出、核准與移除已配對的裝置
about-devices-list = 列出已配對的裝置與等待中的配對請求
about-devices-approve = 核准一個等待中的配對請求
about-devices-remove = 移除已配對的裝置(它必須重新配對)或放棄一個等待中的請求
about-send = 以這個 CLI 的裝置身分透過閘道送出訊息
about-login = 透過閘道開始頻道登入(例如 `whatsapp`)
about-completions = 印出 shell 自動補全腳本(bash、zsh、fish、powershell、elvish)
about-man = 把 man 手冊頁(roff)印到標準輸出
# man 手冊頁的章節標題(`clawdoc man`)
man-name = 名稱
man-synopsis = 用法概要
man-description = 說明
man-options = 選項
man-subcommands = 子命令
man-extra = 結束碼
man-version = 版本
man-authors = 作者
about-help = 印出這份說明,或指定子命令的說明
arg-help = 印出說明
arg-version = 印出版本
help-exit-codes =
    結束碼(每個命令都一樣):
      0  健康、沒有發現問題,或已完成;lookup/scan 只找到例行訊息,
         或 lookup 只有猜測(可能原因,沒有比對到規則)時也是 0
      1  發現問題:健檢有發現、lookup/scan 認出了錯誤、
         規則測試或檢查失敗、config validate 有錯誤、閘道沒有在執行、
         rules eval 未達門檻(--min-top1、--max-fp)
      2  用法或執行期錯誤(錯誤的輸入會指出 file:line:col)

# `clawdoc status` on a target other than the embedded gateway
tstatus-line = 閘道{ $state }({ $pid }連接埠 { $port };{ $ready }{ $failing })
tstatus-pid = pid { $pid },
tstatus-failing = ,未通過:{ $failing }
tstatus-ready = 已就緒
tstatus-not-ready = 尚未就緒
tstatus-state-running = 執行中
tstatus-state-starting = 啟動中
tstatus-state-stopped = 已停止
tstatus-state-stale = 殘留(鎖檔的行程已不在)
tstatus-state-hung = 卡住
tstatus-log = 日誌:{ $path }

# Per-command option help (`arg-<id>`, or `arg-<command path>-<id>` where
# one id means different things in different commands)
arg-profile = OpenClaw 設定檔(profile),同 `openclaw --profile NAME`:狀態目錄 ~/.openclaw-NAME(除非已設定 OPENCLAW_STATE_DIR),有自己的預設連接埠與日誌檔;隱含選擇 OpenClaw 目標
arg-shell = 要產生補全的 shell
arg-key = 以點分隔的鍵,例如 gateway.port
arg-config-set-key = 以點分隔的鍵,例如 gateway.mode
arg-id = 裝置 id(見 `clawdoc devices list`)
arg-rules-new-id = 新規則的 id(檔名主幹:小寫字母、數字、連字號)
arg-dry-run = 印出計畫(含設定檔差異),不做任何變更
arg-fix = 套用安全的修復
arg-unsafe-fixes = 也套用不安全的修復(在終端機上逐一詢問,除非加上 --yes)
arg-verbose = 顯示每個探測的耗時與事實
arg-yes = 所有確認都回答 yes
arg-walk-yes = 不詢問,直接套用每個提供的修復(僅顯示的修復只會顯示)
arg-format = 輸出格式
arg-timeout = 等待閘道就緒的秒數(預設:gateway.startupTimeout,60)
arg-gateway-restart-timeout = 等待舊閘道停止的秒數
arg-restart-timeout = 等待舊閘道停止的秒數
arg-gateway-stop-timeout = 等待閘道結束的秒數
arg-force = 用 SIGKILL 取代 SIGTERM,並移除 pid 檔(用於卡住的閘道)
arg-setup-force = 取代既有的設定檔(舊的保留為 config.toml.bak.1)。除非加上 --rotate-token,已固定的 token 會保留
arg-provider = 要登入的服務(例如 whatsapp)
arg-follow = 持續印出新寫入的行(按 Ctrl-C 停止)
arg-tail = 顯示最後幾行(0:不顯示,搭配 --follow 只看新的行)
arg-batch = 一次處理多段貼上:stdin 是 JSON lines,每行一個 JSON 字串(一段貼上,換行寫成 `\n`);每行輸入依序印出一份 `--json` 文件。任一段顯示有問題時結束碼為 1
arg-probe = 同時執行符合規則的探測,在這台機器上證實或排除它們(唯讀)
arg-text = 錯誤訊息文字;沒有給時從 stdin 讀取。任何位元組都可以(無效的 UTF-8 會寬鬆讀取,和 stdin 一樣)
arg-rules-new-text = 貼上的文字(沒有給時讀 stdin)
arg-rules-eval-files = 評分檔:標頭為 `id, category, text[, source, split]` 的 TSV,或 JSON lines(`-` 代表 stdin)
arg-guesses = 沒有樣式比對到時,也把改寫階段的猜測算進去
arg-leave-one-source-out = 另外為每個來源評分:猜測索引只用規則範例和其他來源的列建立
arg-min-top1 = 第一名正確率低於 PCT% 時以 1 結束
arg-max-fp = 誤報率高於 PCT% 時以 1 結束
arg-show-test-misses = 也列出保留測試列(split = test)的未命中
arg-dir = 寫入的目錄(預設:--rules-dir,否則 $XDG_CONFIG_HOME/clawdoc/rules)
arg-from-paste = 用這段文字(沒有 TEXT 時用 stdin)作為第一個範例與樣式
arg-files = 日誌檔(`-` 代表 stdin)
arg-name = 文件名稱:lookup、lookup-probe、scan、rules-list、rules-show、rules-test、rules-lint、rules-eval、walk、doctor、status、target-status、undo、flowchart、devices、config-validate
arg-channel = 要傳送的頻道(例如 telegram)
arg-mode = local(只綁定 127.0.0.1)、remote(所有網路介面)或 hybrid
arg-non-interactive = 所有答案都從參數取得(預設:mode local、port 3001);沒有終端機時需要
arg-port = 閘道連接埠(1-65535)
arg-rotate-token = 搭配 --force:寫入新的 token(每個已配對的裝置都必須重新配對)
arg-answers = 從 FILE 讀取答案,一行一個(選項編號或 yes/no),不再互動詢問。stdin 不是終端機時需要
arg-message = 你看到的錯誤訊息;用來選出第一個問題的答案

# clap's bracketed notes after an option's help, in the reader's language
help-note-env = {" "}[環境變數:{ $var }]
help-note-default = {" "}[預設:{ $value }]
help-note-possible = {" "}[可用的值:{ $values }]
