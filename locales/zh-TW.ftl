# clawdoc 的 CLI 字串,正體中文(台灣)。每個 id 都必須與 en.ftl 一一對應
# (缺少時測試會失敗);簡體中文(zh-CN)由這份檔案轉換而來。
# 指令、設定鍵、錯誤代碼(`clawdoc config set gateway.mode local`、4008、
# EADDRINUSE)一律不翻譯。

## Errors
error-prefix = 錯誤:
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
doctor-header = clawdoc doctor:目標 { $name }({ $chosen };設定檔 { $config },連接埠 { $port })
target-line = 目標:{ $name }({ $chosen };設定檔 { $config },連接埠 { $port })
doctor-no-problems = 沒有發現任何問題。
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
finding-fix = 修復({ $tier }):{ $title }
finding-see = 參閱:{ $section }
why-unsafe = 不安全的原因:{ $why }
prompt-apply = 要套用「{ $what }」嗎?

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
lint-summary = 已載入 { $rules } 條規則,{ $problems } 個問題,{ $untranslated } 處未翻譯

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

## Why a fix was left for you
reason-display-only = 僅供參考
reason-dry-run = 試跑
reason-declined = 已拒絕
reason-needs-fix = 需要 --fix
reason-needs-unsafe-fixes = 需要 --unsafe-fixes
reason-failed = 失敗或沒有幫助

## Undo
undo-run = 已復原 doctor 執行紀錄 { $run }:
undo-restored = 已還原 { $path }
undo-removed = 已移除 { $path }(它原本不存在)
undo-not-reverted = 未復原(行程層面的變更):{ $what }
undo-no-change = 沒有任何檔案被改動
undo-nothing = 沒有可復原的項目:{ $dir } 中沒有套用過修復的 doctor 執行紀錄
