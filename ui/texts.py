"""Every string the app shows, in Chinese and English, and the analogy panels (panel x lens x lang).

The analogies are the project's own writing, drawn from the meaning of the seed notes (张无忌's
growth; a new employee's growth); no sentence of the seed is copied. Panel texts carry format
placeholders (``{kl:.2f}``) that ``panel()`` fills with live numbers from ``ui.narrate``.
"""

from __future__ import annotations

from ui import texts_hands

T = {
    # -- the frame --------------------------------------------------------------------------------
    "app_title": {"zh": "无忌 · Wuji — RLHF 练功场", "en": "Wuji · 无忌 — RLHF playground"},
    "tagline": {
        "zh": "看一个小小的语言模型当场长大：先练内力（预训练），再学招式（监督微调），最后学处世（RLHF）。",
        "en": "Watch a tiny language model grow up live: inner strength first (pretraining), then moves "
        "(supervised fine-tuning), and last the ways of the world (RLHF).",
    },
    "moral": {
        "zh": "本领要先练出来，讨人喜欢放在最后；若不拴住缰绳（KL）一味讨好，本领就会丢掉。",
        "en": "Skill comes first, pleasing people comes last — and pleasing without a leash (KL) destroys "
        "skill.",
    },
    "page_home": {"zh": "张无忌的成长", "en": "The journey"},
    "page_pretrain": {"zh": "内力 · 预训练", "en": "Inner strength · Pretraining"},
    "page_sft": {"zh": "招式 · 监督微调", "en": "Moves · Fine-tuning"},
    "page_rlhf": {"zh": "处世 · RLHF", "en": "Ways of the world · RLHF"},
    "page_challenges": {"zh": "难点与挑战", "en": "Challenges"},
    # -- the sidebar ------------------------------------------------------------------------------
    "sb_lang": {"zh": "语言", "en": "Language"},
    "sb_lens": {"zh": "类比视角", "en": "Analogy lens"},
    "sb_seed": {"zh": "随机种子（换一个世界）", "en": "Random seed (another world)"},
    "sb_run": {"zh": "当前设置", "en": "Current settings"},
    "sb_share": {
        "zh": "地址栏里的链接记住了这些设置，可以直接分享。",
        "en": "The link in the address bar keeps these settings: share it as it is.",
    },
    "lens_wuxia": {"zh": "武侠", "en": "Wuxia (martial arts)"},
    "lens_work": {"zh": "职场", "en": "Workplace"},
    "lens_tech": {"zh": "技术", "en": "Technical"},
    "lang_zh": {"zh": "中文", "en": "中文"},
    "lang_en": {"zh": "English", "en": "English"},
    "analogy": {"zh": "打个比方", "en": "The analogy"},
    # -- jobs -------------------------------------------------------------------------------------
    "train": {"zh": "开始训练", "en": "Train"},
    "train_journey": {"zh": "练完整段成长之路", "en": "Train the whole journey"},
    "stop": {"zh": "停下", "en": "Stop"},
    "running": {
        "zh": "正在训练：{stage}（已用 {sec:.0f} 秒）",
        "en": "Training: {stage} ({sec:.0f} s so far)",
    },
    "preparing": {
        "zh": "准备中：正在载入 PyTorch 和已缓存的阶段（已用 {sec:.0f} 秒）",
        "en": "Getting ready: loading PyTorch and the cached stages ({sec:.0f} s so far)",
    },
    "queued": {
        "zh": "排队中：你是第 {place} 位，大约 {wait:.0f} 秒后练完（服务器同时只练 {workers} 个，"
        "别人练完的结果大家共享）。",
        "en": "In the queue: you are number {place}, done in about {wait:.0f} s (the server trains {workers} at a "
        "time; a run someone else finished is shared with everyone).",
    },
    "cancel": {"zh": "不等了", "en": "Cancel"},
    "watching_together": {
        "zh": "另有 {n} 人也在等这同一组设置：只练一次，大家一起看。",
        "en": "{n} other participant(s) asked for these same settings: it trains once and you all watch it.",
    },
    "left_run": {
        "zh": "你已离开这次训练；还有 {n} 人在等它，所以它继续练。",
        "en": "You left this run; it goes on because {n} other participant(s) are waiting for it.",
    },
    "stage_cached": {"zh": "{stage}：已从缓存读取", "en": "{stage}: loaded from the cache"},
    "stage_progress": {"zh": "{stage}：{pct:.0%}", "en": "{stage}: {pct:.0%}"},
    "not_trained": {
        "zh": "这组设置（修炼 {steps} 步、评审偏好 {bias:.1f}、缰绳 {kl:g}、种子 {seed}）还没有训练过。点"
        "“开始训练”，约需 {eta} 秒。",
        "en": "These settings (pretraining {steps} steps, judges' bias {bias:.1f}, leash {kl:g}, seed "
        "{seed}) have not been trained yet. Press “Train”: about {eta} s.",
    },
    "showing_last": {
        "zh": "下面仍是上一次练完的结果（{what}）。",
        "en": "Below is still the last finished run ({what}).",
    },
    "stopped": {
        "zh": "已停下。练完的阶段都保存好了，下次直接读取。",
        "en": "Stopped. The stages already finished are saved and will load at once next time.",
    },
    "failed": {"zh": "训练出错：{msg}", "en": "Training failed: {msg}"},
    "diverged_hint": {
        "zh": "学习率放大了 {lr:g} 倍，步子太大，模型“走火入魔”了。在侧栏“高级设置”里把学习率倍数调回 ×1 再练。",
        "en": "The learning rate is {lr:g}× its usual value: steps that large make training blow up. Set the "
        "learning-rate multiplier in the sidebar's Advanced settings back to ×1 and train again.",
    },
    "password": {"zh": "房间密码", "en": "Room password"},
    "password_help": {
        "zh": "这台服务器设了密码：请输入主持人告诉你的密码。",
        "en": "This server has a password: type the one your facilitator gave you.",
    },
    "password_wrong": {"zh": "密码不对，请再试一次。", "en": "That is not the password. Try again."},
    "sb_advanced": {"zh": "高级设置", "en": "Advanced settings"},
    "sb_lr": {"zh": "学习率倍数", "en": "Learning-rate multiplier"},
    "sb_lr_help": {
        "zh": "把每个阶段的学习率乘上这个倍数。太大时训练会发散（损失变成 NaN），应用会停下并告诉你。",
        "en": "Multiplies every stage's learning rate. Too large and training diverges (the loss becomes NaN): "
        "the app stops the run and says so.",
    },
    "cached_all": {"zh": "结果来自缓存，立即显示。", "en": "Results come from the cache, shown at once."},
    "server_warning": {"zh": "服务器设置提示：{msg}", "en": "Server setting: {msg}"},
    "cache_warning": {"zh": "缓存提示：{msg}", "en": "Cache note: {msg}"},
    "loading": {"zh": "正在读取结果…", "en": "Loading the results…"},
    "rerun_hint": {
        "zh": "挪动滑块会从缓存的监督微调模型和奖励模型出发，重新跑一遍 PPO。",
        "en": "Moving a slider reruns PPO from the cached fine-tuned model and reward model.",
    },
    # -- URL warnings -----------------------------------------------------------------------------
    "url_text": {
        "zh": "链接参数 {name}={raw} 不是数字；允许 {allowed}，改用默认值 {used}。",
        "en": "Link parameter {name}={raw} is not a number; allowed: {allowed}. Using the default {used}.",
    },
    "url_range": {
        "zh": "链接参数 {name}={raw} 超出范围；允许 {allowed}，改用默认值 {used}。",
        "en": "Link parameter {name}={raw} is out of range; allowed: {allowed}. Using the default {used}.",
    },
    "url_long": {
        "zh": "链接参数 {name}={raw} 太长；允许 {allowed}，改用默认值 {used}。",
        "en": "Link parameter {name}={raw} is too long; allowed: {allowed}. Using the default {used}.",
    },
    "url_choice": {
        "zh": "链接参数 {name}={raw} 不认识；允许 {allowed}，改用默认值 {used}。",
        "en": "Link parameter {name}={raw} is not recognised; allowed: {allowed}. Using the default {used}.",
    },
    "url_snap": {
        "zh": "链接参数 {name}={raw} 不在滑块刻度上；允许 {allowed}，改用最近的 {used}。",
        "en": "Link parameter {name}={raw} is not a slider stop; allowed: {allowed}. Using the nearest, "
        "{used}.",
    },
    # -- charts -----------------------------------------------------------------------------------
    "ch_loss": {
        "zh": "练内力：猜下一个字的误差",
        "en": "Building inner strength: error guessing the next character",
    },
    "ch_probe": {"zh": "知识小测", "en": "Knowledge quiz"},
    "ch_radar": {"zh": "招式图：每类题的答对率", "en": "The moves: share right for each kind of question"},
    "ch_sft_curve": {"zh": "学招式：本领与守规矩", "en": "Learning moves: skill and format"},
    "ch_reward": {"zh": "评审团学得怎样", "en": "How well the judging model learned"},
    "ch_annotators": {"zh": "五位评审各看重什么", "en": "What each of the judges looks at"},
    "ch_rewards": {"zh": "分数：评审打分 与 真实质量", "en": "Scores: judges' score vs true quality"},
    "ch_skill": {"zh": "本领 与 拍马屁", "en": "Skill vs flattery"},
    "ch_kl": {"zh": "偏离原来的自己（KL）", "en": "Drift from his old self (KL)"},
    "ch_cost": {"zh": "训练成本：每个阶段用时", "en": "Training cost: time per stage"},
    "ch_transfer": {
        "zh": "换个题型还行吗：PPO 前后的答对率",
        "en": "Does it transfer? Share right before and after PPO",
    },
    "ch_gauges": {"zh": "他现在的样子", "en": "Where he stands now"},
    "g_inner": {"zh": "内力", "en": "Inner strength"},
    "g_moves": {"zh": "招式", "en": "Moves"},
    "g_world": {"zh": "处世", "en": "Ways of the world"},
    "substance": {"zh": "看真本事", "en": "Looks at substance"},
    "surface": {"zh": "看好听的话和长度", "en": "Looks at flattery and length"},
    "judge": {"zh": "评审 {i}", "en": "Judge {i}"},
    "before_ppo": {"zh": "PPO 之前", "en": "Before PPO"},
    "after_ppo": {"zh": "PPO 之后", "en": "After PPO"},
    "after_ppo_short": {"zh": "（PPO 后）", "en": " (after PPO)"},
    "ch_budget": {
        "zh": "修炼多久，后面就能走多远（已练完的设置）",
        "en": "Practice time vs what follows (finished runs)",
    },
    "ch_bias_sweep": {
        "zh": "评审越爱听好话，结果越差（已练完的设置）",
        "en": "The more the judges love flattery, the worse the outcome (finished runs)",
    },
    "sweep_hint": {
        "zh": "图中只画已经练完的设置；练完更多设置，曲线会变长。",
        "en": "Only finished settings are drawn; train more settings and the curve grows.",
    },
    "practised": {"zh": "（练过）", "en": " (practised)"},
    "held_out": {"zh": "（没练过）", "en": " (never practised)"},
    "checkpoint": {"zh": "第 {step} 步", "en": "step {step}"},
    "png_hint": {
        "zh": "想保存图片？把鼠标移到图上，点右上角的相机按钮即可下载 PNG。",
        "en": "To save a chart, hover over it and press the camera button at its top right: a PNG downloads.",
    },
    "csv": {"zh": "下载本页数据（CSV）", "en": "Download this page's numbers (CSV)"},
    # -- page pieces ------------------------------------------------------------------------------
    "samples": {"zh": "他在每个检查点随口写出的话", "en": "What he writes at each checkpoint"},
    "budget": {"zh": "修炼九阳神功多久（预训练步数）", "en": "How long he practises (pretraining steps)"},
    "budget_effect": {"zh": "修炼时长对后面的影响", "en": "What the budget does to the later stages"},
    "side_by_side": {
        "zh": "同一道题：学招式前 与 学招式后",
        "en": "Same questions: before and after learning moves",
    },
    "green_grey": {
        "zh": "绿色模型（学完招式的他）与 灰色模型（学处世后的他）",
        "en": "Green model (after the moves) and grey model (after learning the ways of the world)",
    },
    "green_grey_help": {
        "zh": "灰色模型的每个字按它离绿色模型有多远上色：颜色越深，偏离越大。",
        "en": "Each character of the grey model is shaded by how far it drifts from the green model: the "
        "darker, the bigger the drift.",
    },
    "prompt": {"zh": "题目", "en": "Question"},
    "base": {"zh": "学招式前", "en": "Before the moves"},
    "sft": {"zh": "学招式后", "en": "After the moves"},
    "green": {"zh": "绿色模型", "en": "Green model"},
    "grey": {"zh": "灰色模型", "en": "Grey model"},
    "right": {"zh": "✓ 对", "en": "✓ right"},
    "wrong": {"zh": "✗ 错", "en": "✗ wrong"},
    "kl_slider": {
        "zh": "缰绳松紧（KL 系数）：0 = 完全不拴",
        "en": "Leash strength (KL coefficient): 0 = no leash",
    },
    "bias_slider": {
        "zh": "评审有多爱听奉承：0 = 只看真本事，1 = 只听好话",
        "en": "How much the judges love flattery: 0 = substance only, 1 = flattery only",
    },
    "annotators_title": {"zh": "评审团（标注员）", "en": "The judging panel (annotators)"},
    "ppo_title": {"zh": "PPO：一步一步调整做事方式", "en": "PPO: adjusting how he acts, step by step"},
    "ch_bias": {"zh": "难点一：评审有偏见", "en": "Challenge 1: biased judges"},
    "ch_cost_t": {"zh": "难点二：训练很花时间", "en": "Challenge 2: training is costly"},
    "ch_transfer_t": {
        "zh": "难点三：换了题型会不会水土不服",
        "en": "Challenge 3: does it carry over to new kinds?",
    },
    "from_cache": {"zh": "（缓存）", "en": " (cache)"},
    "cost_hint": {
        "zh": "从缓存读取的阶段只花读取时间：这正是缓存省下的成本。第一次训练时，这些阶段要花得多。",
        "en": "Stages loaded from the cache cost only the loading time: that is what the cache saves. The "
        "first training of those stages took much longer.",
    },
}

TREND = {
    "up": {"zh": "上升", "en": "rose"},
    "down": {"zh": "下降", "en": "fell"},
    "flat": {"zh": "基本没变", "en": "held"},
}

LENS_TITLE = {
    "wuxia": {"zh": "武侠：张无忌", "en": "Wuxia: Zhang Wuji"},
    "work": {"zh": "职场：新人成长", "en": "Workplace: a new hire grows"},
    "tech": {"zh": "技术：实际发生了什么", "en": "Technical: what actually happens"},
}

# panel -> lens -> (zh, en). Placeholders are filled by ui.narrate.numbers().
PANELS = {
    "pretrain": {
        "wuxia": (
            "张无忌在山谷里苦练九阳神功，只练内力，一招一式都还不会。练了 {steps} 步后，猜下一个字的误差降"
            "到 {val_loss:.2f}，知识小测答对 {probe:.0%}——气息足了，但还不会出手。",
            "In the valley Zhang Wuji trains the Nine Suns art: pure inner strength, not a single move "
            "yet. After {steps} steps his error guessing the next character is {val_loss:.2f} and he gets "
            "{probe:.0%} of the knowledge quiz right — strong breath, but he cannot fight yet.",
        ),
        "work": (
            "这是从小学到大学的读书岁月：读了大量文章，天天做“完形填空”。读了 {steps} 步，填空误差 "
            "{val_loss:.2f}，常识小测答对 {probe:.0%}。学问有了，但还没上过一天班。",
            "These are the school and university years: lots of reading, a fill-in-the-blank test every "
            "day. After {steps} steps the blank-filling error is {val_loss:.2f} and the general-knowledge "
            "quiz is {probe:.0%} right. Knowledge, yes; a day at work, not yet.",
        ),
        "tech": (
            "预训练：模型在故事和事实文本上练“预测下一个字”，没有问答。{steps} 步后，留出文本上的损失为 "
            "{val_loss:.2f} nats/字，知识探针准确率 {probe:.0%}。",
            "Pretraining: the model learns to predict the next character of prose and facts, with no "
            "question/answer pairs. After {steps} steps the held-out loss is {val_loss:.2f} nats per "
            "character and the knowledge probe scores {probe:.0%}.",
        ),
    },
    "budget": {
        "wuxia": (
            "内力是一切的根基。现在修炼 {steps} 步，之后学招式能练到 {cap:.0%} 的本领。把滑块拨到 0 再看看"
            "：没有内力，同样的招式也使不出来。",
            "Inner strength is the root of everything. With {steps} steps of practice, the moves he learns "
            "next reach {cap:.0%} skill. Slide to 0 and compare: without inner strength the same moves "
            "fall flat.",
        ),
        "work": (
            "底子打得越厚，入职培训越见效。读了 {steps} 步书，试用期后能做对 {cap:.0%} 的任务。若书读得少，"
            "同样的培训效果就差很多。",
            "The firmer the foundation, the more the training pays off. With {steps} steps of study he "
            "gets {cap:.0%} of the tasks right after probation. Study less and the same training achieves "
            "much less.",
        ),
        "tech": (
            "预训练预算影响后面所有阶段：同样的监督微调，在 {steps} 步预训练之上达到 {cap:.0%} 的准确率。预"
            "训练越少，微调的起点越低。",
            "The pretraining budget shapes every later stage: the same fine-tuning, on top of {steps} "
            "pretraining steps, reaches {cap:.0%} accuracy. Less pretraining, a lower starting point.",
        ),
    },
    "sft": {
        "wuxia": (
            "有了内力，张无忌开始学乾坤大挪移和太极拳，一招一式都有章法。现在他的本领是 {cap:.0%}，"
            "{fmt:.0%} 的回答合乎规矩；最拿手的是“{best}”，最生疏的是“{worst}”。",
            "With inner strength in place, Zhang Wuji learns the Great Shift and Tai Chi: every move by "
            "the book. His skill is now {cap:.0%}, and {fmt:.0%} of his answers follow the form; best move "
            "“{best}”, weakest “{worst}”.",
        ),
        "work": (
            "新人进入试用期：照着规章和范例学做事。培训后他能做对 {cap:.0%} 的任务，{fmt:.0%} 的交付符合格"
            "式；最擅长“{best}”，最吃力的是“{worst}”。做得对，但还有点生硬。",
            "The new hire starts probation: rules and worked examples. After training he gets {cap:.0%} of "
            "tasks right and {fmt:.0%} of his work is in the required format; strongest at “{best}”, "
            "weakest at “{worst}”. Correct, if a bit stiff.",
        ),
        "tech": (
            "监督微调：在固定问答格式的示范上训练。留出题目上的准确率 {cap:.0%}，格式正确率 {fmt:.0%}；最好"
            "的题型“{best}”，最差的“{worst}”。",
            "Supervised fine-tuning: training on demonstrations in a fixed question/answer format. "
            "Held-out accuracy {cap:.0%}, format rate {fmt:.0%}; best task kind “{best}”, worst “{worst}”.",
        ),
    },
    "sft_compare": {
        "wuxia": (
            "同样的题目：只有内力时答对 {base_right} / {n}，学了招式后答对 {sft_right} / {n}。",
            "The same questions: with inner strength only he gets {base_right} / {n} right; with the "
            "moves, {sft_right} / {n}.",
        ),
        "work": (
            "同样的任务：刚毕业时做对 {base_right} / {n}，培训后做对 {sft_right} / {n}。",
            "The same tasks: fresh from school he gets {base_right} / {n} right; after training, "
            "{sft_right} / {n}.",
        ),
        "tech": (
            "同一组留出题：基座模型答对 {base_right} / {n}，微调后答对 {sft_right} / {n}。",
            "The same held-out prompts: the base model answers {base_right} / {n} right, the fine-tuned "
            "model {sft_right} / {n}.",
        ),
    },
    "reward": {
        "wuxia": (
            "江湖前辈们给他的两种回答排先后，一个“评审模型”学会了他们的口味：与前辈意见一致 {pref:.0%}。可"
            "前辈爱听奉承的程度是 {bias:.1f}，所以它与真正的好坏只一致 {gold:.0%}。",
            "The elders of the martial world rank pairs of his answers, and a judging model learns their "
            "taste: it agrees with the elders {pref:.0%} of the time. But the elders' love of flattery is "
            "{bias:.1f}, so it agrees with true quality only {gold:.0%} of the time.",
        ),
        "work": (
            "领导们不打绝对分，只说“这份比那份好”。评审模型学会了这种排序：与领导一致 {pref:.0%}。领导只想"
            "听好消息的程度是 {bias:.1f}，所以它与工作真正的好坏一致 {gold:.0%}。",
            "The bosses give no absolute marks, only “this one beats that one”. The judging model learns "
            "the ranking: it agrees with the bosses {pref:.0%} of the time. Their wish to hear only good "
            "news is {bias:.1f}, so it matches the real quality of the work {gold:.0%} of the time.",
        ),
        "tech": (
            "奖励模型在标注员的两两排序上训练：留出对上的准确率 {pref:.0%}。标注偏差 {bias:.1f} 时，它与真"
            "实偏好（gold）的一致率为 {gold:.0%}；它从未见过真实偏好函数。",
            "The reward model is trained on the annotators' pairwise rankings: {pref:.0%} accuracy on "
            "held-out pairs. With annotator bias {bias:.1f} it agrees with the true (gold) preference "
            "{gold:.0%} of the time; it never sees the gold function.",
        ),
    },
    "annotators": {
        "wuxia": (
            "{n} 位前辈评判。每位心里都有一杆秤：现在有 {bias:.0%} 的分量压在“好听的话和长度”上，只有 "
            "{sub:.0%} 在真功夫上。",
            "{n} elders judge. Each has his own scales: right now {bias:.0%} of the weight sits on “sweet "
            "words and length”, only {sub:.0%} on real skill.",
        ),
        "work": (
            "{n} 位领导组成评审团，各有脾气。现在他们 {bias:.0%} 看汇报好不好听、写得长不长，{sub:.0%} 看活"
            "干得对不对。",
            "{n} bosses form the review panel, each with a temper. Right now {bias:.0%} of their judgement "
            "is about how nice and long the report sounds, {sub:.0%} about whether the work is right.",
        ),
        "tech": (
            "{n} 个模拟标注员，每人的效用 = (1 − 偏差)·真实质量 + 偏差·个人口味·表面吸引力，再加噪声。当前"
            "偏差 {bias:.1f}：真实质量的权重 {sub:.0%}。",
            "{n} simulated annotators, each with utility = (1 − bias)·gold + bias·taste·surface appeal, "
            "plus noise. Bias now {bias:.1f}: gold gets {sub:.0%} of the weight.",
        ),
    },
    "ppo": {
        "wuxia": (
            "张无忌下山闯荡，一点点改自己的为人处世。缰绳 {kl_coef:g}、前辈爱听奉承 {bias:.1f}：前辈打分"
            "{proxy_trend}（{proxy0:.2f} → {proxy1:.2f}），真实质量{gold_trend}（{gold0:.2f} → "
            "{gold1:.2f}）。{verdict}",
            "Zhang Wuji goes out into the world and changes how he acts, bit by bit. Leash {kl_coef:g}, "
            "elders' love of flattery {bias:.1f}: the elders' score {proxy_trend} ({proxy0:.2f} → "
            "{proxy1:.2f}), the true quality {gold_trend} ({gold0:.2f} → {gold1:.2f}). {verdict}",
        ),
        "work": (
            "每周看领导的反馈，逐步调整做事习惯。缰绳 {kl_coef:g}、领导爱听好话 {bias:.1f}：领导打分"
            "{proxy_trend}（{proxy0:.2f} → {proxy1:.2f}），工作真实质量{gold_trend}（{gold0:.2f} → "
            "{gold1:.2f}）。{verdict}",
            "Every week he reads the bosses' feedback and adjusts his habits. Leash {kl_coef:g}, bosses' "
            "love of good news {bias:.1f}: the bosses' score {proxy_trend} ({proxy0:.2f} → {proxy1:.2f}), "
            "the real quality of the work {gold_trend} ({gold0:.2f} → {gold1:.2f}). {verdict}",
        ),
        "tech": (
            "PPO 最大化奖励模型的分数，减去 KL 系数 {kl_coef:g} 乘以与 SFT 模型的 KL。标注偏差 {bias:.1f}："
            "代理奖励{proxy_trend}（{proxy0:.2f} → {proxy1:.2f}），gold 奖励{gold_trend}（{gold0:.2f} → "
            "{gold1:.2f}）。{verdict}",
            "PPO maximises the reward model's score minus KL coefficient {kl_coef:g} times the KL to the "
            "SFT model. Annotator bias {bias:.1f}: proxy reward {proxy_trend} ({proxy0:.2f} → "
            "{proxy1:.2f}), gold reward {gold_trend} ({gold0:.2f} → {gold1:.2f}). {verdict}",
        ),
    },
    "kl": {
        "wuxia": (
            "{leash}。他离原来的自己偏了 {kl:.2f}，本领{cap_trend}：{cap0:.0%} → {cap1:.0%}。",
            "{leash}. He has drifted {kl:.2f} from his old self, and his skill {cap_trend}: {cap0:.0%} → "
            "{cap1:.0%}.",
        ),
        "work": (
            "“能力是生存之本”：{leash}。做事方式变了 {kl:.2f}，本领{cap_trend}：{cap0:.0%} → {cap1:.0%}。",
            "“Competence is what keeps you employed”: {leash}. His way of working changed by {kl:.2f}, and "
            "his skill {cap_trend}: {cap0:.0%} → {cap1:.0%}.",
        ),
        "tech": (
            "KL 惩罚系数 {kl_coef:g}。图里的 KL 是精确值：每个字在整个词表上算策略与 SFT 模型的 KL，再对整个回"
            "答求和，永不为负，现在 {kl:.2f} nats。PPO 训练里的惩罚用的是采样估计 log π − log π_SFT（只看采到的"
            "那个字，单个回答上可能为负）。任务准确率{cap_trend}：{cap0:.0%} → {cap1:.0%}。",
            "KL penalty coefficient {kl_coef:g}. The chart's KL is exact: the policy's KL to the SFT model over "
            "the whole vocabulary at each character, summed over the answer, never negative; now {kl:.2f} "
            "nats. The penalty inside PPO's training uses the sampled estimate log π − log π_SFT (only the "
            "character drawn, so it can be negative on one answer). Task accuracy {cap_trend}: {cap0:.0%} → "
            "{cap1:.0%}.",
        ),
    },
    "bias": {
        "wuxia": (
            "前辈爱听奉承 {bias:.1f}。现在 {flat:.0%} 的回答里夹着“大侠英明！”一类的话，真实质量 "
            "{gold1:.2f}。",
            "The elders' love of flattery is {bias:.1f}. Now {flat:.0%} of his answers carry lines like "
            "“Wise hero!”, and the true quality is {gold1:.2f}.",
        ),
        "work": (
            "领导只想听好消息的程度 {bias:.1f}。现在 {flat:.0%} 的汇报里有“您真高明！”，工作真实质量 "
            "{gold1:.2f}。",
            "The bosses' wish for good news only is {bias:.1f}. Now {flat:.0%} of his reports contain “You "
            "are so clever!”, and the real quality of the work is {gold1:.2f}.",
        ),
        "tech": (
            "标注偏差 {bias:.1f}。{flat:.0%} 的回答含奉承短语；回答有长度上限，奉承会挤掉内容。gold 奖励 "
            "{gold1:.2f}。",
            "Annotator bias {bias:.1f}. {flat:.0%} of answers contain a flattery phrase; answers have a "
            "length budget, so flattery crowds out content. Gold reward {gold1:.2f}.",
        ),
    },
    "green_grey": {
        "wuxia": (
            "绿色是学完招式的张无忌，灰色是学了处世之后的他。同样的题，灰色模型平均偏离 {kl:.2f}；颜色深的"
            "字，就是他变了的地方。",
            "Green is Zhang Wuji after learning his moves; grey is him after learning the ways of the "
            "world. On the same questions the grey model drifts {kl:.2f} on average; the dark characters "
            "are where he changed.",
        ),
        "work": (
            "绿色是刚过试用期的他，灰色是适应了公司文化的他。同样的任务，灰色平均偏离 {kl:.2f}；颜色深的字"
            "，就是做法变了的地方。",
            "Green is him just after probation; grey is him after adapting to the company culture. On the "
            "same tasks grey drifts {kl:.2f} on average; dark characters mark where his way of working "
            "changed.",
        ),
        "tech": (
            "绿色：SFT 模型（参考模型）；灰色：PPO 后的策略。每个字按该位置的 KL 上色，平均每个回答 "
            "{kl:.2f} nats。",
            "Green: the SFT (reference) model; grey: the policy after PPO. Each character is shaded by the "
            "KL at that position; {kl:.2f} nats per answer on average.",
        ),
    },
    "challenge_bias": {
        "wuxia": (
            "若前辈们都爱听好话（偏好 {bias:.1f}），评审模型只有 {gold:.0%} 的时候分得清真功夫；解法是请更"
            "多、更公正的前辈，并立下明确的评判规矩。",
            "If the elders all love sweet words (bias {bias:.1f}), the judging model tells real skill "
            "apart only {gold:.0%} of the time; the cure is more, fairer elders and clear rules for "
            "judging.",
        ),
        "work": (
            "领导口味不一、又爱听好消息（{bias:.1f}）时，评审模型只有 {gold:.0%} 分得清好坏；办法是多人共同"
            "评分，并写清评分标准（比如“必须有数据支撑”）。",
            "When bosses differ and like good news ({bias:.1f}), the judging model separates good from bad "
            "only {gold:.0%} of the time; the remedy is several raters and a written standard (“back it "
            "with data”).",
        ),
        "tech": (
            "标注偏差 {bias:.1f} 时奖励模型与真实偏好一致率 {gold:.0%}。缓解：更多标注员、标注规范、偏差审"
            "计。",
            "With annotator bias {bias:.1f} the reward model agrees with the gold preference {gold:.0%} of "
            "the time. Mitigations: more annotators, labelling guidelines, audits of bias.",
        ),
    },
    "challenge_cost": {
        "wuxia": (
            "练功要下苦功：练内力时读了约 {chars:,} 个字，前辈们评了 {pairs:,} 对回答，学处世时又写了 "
            "{answers:,} 个回答。这一次共用 {total:.1f} 秒（从缓存读取的阶段几乎不花时间）。先把内力练扎实"
            "，再针对性地学处世，最省力。",
            "Training takes hard work: about {chars:,} characters read for inner strength, {pairs:,} pairs "
            "of answers judged by the elders, {answers:,} answers written while learning the ways of the "
            "world. This run took {total:.1f} s (stages from the cache cost almost nothing). Build the "
            "inner strength once, then train the manners on top: the cheapest path.",
        ),
        "work": (
            "培养一个员工要投入大量资源：读书阶段读了约 {chars:,} 个字，领导们排了 {pairs:,} 对方案，适应文"
            "化时又交了 {answers:,} 份作业。这一次共用 {total:.1f} 秒（读缓存几乎不花时间）。先培养通用能力"
            "，再针对性调整。",
            "Growing an employee takes resources: about {chars:,} characters read in the study years, "
            "{pairs:,} pairs of work ranked by the bosses, {answers:,} pieces of work handed in while "
            "adapting. This run took {total:.1f} s (loading from the cache is almost free). General "
            "ability first, then adjust for the job.",
        ),
        "tech": (
            "预训练读了约 {chars:,} 个字符，奖励模型用了 {pairs:,} 个偏好对，PPO 采样了 {answers:,} 个回答"
            "。本次用时 {total:.1f} 秒；缓存让只改 KL 的重跑只需 PPO 的时间。",
            "Pretraining read about {chars:,} characters, the reward model used {pairs:,} preference "
            "pairs, PPO sampled {answers:,} answers. This run took {total:.1f} s; the cache means a rerun "
            "that only changes KL costs just the PPO time.",
        ),
    },
    "challenge_transfer": {
        "wuxia": (
            "PPO 只练了部分题型。练过的题型本领 {seen0:.0%} → {seen1:.0%}，没练过的（数数、排序）"
            "{held0:.0%} → {held1:.0%}。换了场合，处世之道还管用吗？",
            "PPO only practised some kinds of question. Practised kinds: {seen0:.0%} → {seen1:.0%}; never "
            "practised (count, sort): {held0:.0%} → {held1:.0%}. Do his manners still work in a new place?",
        ),
        "work": (
            "在 A 项目表现好，换到 B 项目会不会水土不服？练过的任务 {seen0:.0%} → {seen1:.0%}，没练过的 "
            "{held0:.0%} → {held1:.0%}。",
            "Great on project A — but on project B? Practised tasks: {seen0:.0%} → {seen1:.0%}; never "
            "practised: {held0:.0%} → {held1:.0%}.",
        ),
        "tech": (
            "留出题型（count、sort）从不参加 PPO：训练题型 {seen0:.0%} → {seen1:.0%}，留出题型 {held0:.0%} "
            "→ {held1:.0%}。",
            "Held-out kinds (count, sort) never enter PPO: practised kinds {seen0:.0%} → {seen1:.0%}, "
            "held-out kinds {held0:.0%} → {held1:.0%}.",
        ),
    },
}

VERDICT = {
    "collapse": {
        "wuxia": (
            "他只会说好听的话了，武功却荒废了。",
            "He now only says sweet words, and his martial skill has withered.",
        ),
        "work": (
            "他只报喜不报忧，专业能力丢了。",
            "He only brings good news now, and his competence is gone.",
        ),
        "tech": (
            "奖励被钻了空子：代理奖励上升，能力崩塌。",
            "Reward hacking: proxy reward up, capability collapsed.",
        ),
    },
    "hacking": {
        "wuxia": (
            "分数涨了，真本事却没跟上：当心讨好成性。",
            "The score is up but real skill is not: beware of a habit of pleasing.",
        ),
        "work": ("打分好看了，活却没干得更好。", "The ratings look better; the work does not."),
        "tech": (
            "过度优化：代理奖励与 gold 奖励分道扬镳。",
            "Over-optimisation: proxy and gold reward part ways.",
        ),
    },
    "good": {
        "wuxia": (
            "内力和招式都在，待人也更得体。",
            "Inner strength and moves intact, and better manners too.",
        ),
        "work": ("既专业又符合团队风格。", "Professional and a good fit for the team."),
        "tech": ("gold 奖励提升，能力保持。", "Gold reward up, capability kept."),
    },
    "steady": {
        "wuxia": ("缰绳拴得紧，他几乎没变。", "The leash is tight: he barely changed."),
        "work": ("他基本保持原样。", "He mostly stayed as he was."),
        "tech": ("策略几乎没有离开参考模型。", "The policy barely left the reference model."),
    },
}

HOME_STORY = {
    "wuxia": (
        "张无忌的一生分三段：先在山谷里练九阳神功，内力深厚却不会招式；再学乾坤大挪移和太极拳，招式精妙；最"
        "后走进江湖，学着与人相处。我们的小模型也走这三步——而最后一步若一味讨好前辈，前两步的功夫会丢掉。",
        "Zhang Wuji's life has three parts: first he trains the Nine Suns art in a valley — deep inner "
        "strength, no moves; then he learns the Great Shift and Tai Chi — fine moves; last he enters the "
        "martial world and learns to deal with people. Our tiny model walks the same three steps — and if "
        "the last step only pleases the elders, the first two are lost.",
    ),
    "work": (
        "一个职场人的成长：先读十几年书打底子；再经过试用期学会按规矩做事；最后适应公司文化，学会与领导同事"
        "相处。我们的小模型也这样成长——可如果只为讨领导欢心，专业能力就会荒废。",
        "A professional's growth: years of school build the foundation; probation teaches how to do the "
        "job by the rules; last comes fitting into the company culture. Our tiny model grows the same way "
        "— but if it lives only to please the boss, its competence withers.",
    ),
    "tech": (
        "现代对话模型的三个阶段：预训练（预测下一个字）、监督微调（学问答格式和任务）、RLHF（从人类排序学奖"
        "励模型，再用带 KL 惩罚的 PPO 优化）。这里一个很小的模型在 CPU 上当场走完这三步。",
        "The three stages of a modern chat model: pretraining (predict the next character), supervised "
        "fine-tuning (the question/answer format and the tasks), and RLHF (a reward model learned from "
        "human rankings, then PPO with a KL penalty). Here a tiny model walks all three live, on a CPU.",
    ),
}

LEASH = {  # the start of the "kl" panel: no leash at all, or a leash of some strength
    "none": {
        "wuxia": (
            "缰绳 0：没有任何东西拴住他的内力和招式",
            "A leash of 0: nothing holds on to his inner strength and moves",
        ),
        "work": ("缰绳 0：没人提醒他守住专业", "a leash of 0: nobody reminds him to keep his skill"),
        "tech": ("", ""),
    },
    "some": {
        "wuxia": (
            "缰绳 {kl_coef:g} 拴着他不忘九阳内力和学过的招式",
            "A leash of {kl_coef:g} keeps him from forgetting his inner strength and his moves",
        ),
        "work": (
            "缰绳 {kl_coef:g} 提醒他别为了讨好丢掉专业",
            "a leash of {kl_coef:g} reminds him not to trade skill for approval",
        ),
        "tech": ("", ""),
    },
}

LANG_INDEX = {"zh": 0, "en": 1}


def t(key: str, lang: str, **kw) -> str:
    s = T[key][lang]
    return s.format(**kw) if kw else s


def panel(name: str, lens: str, lang: str, nums: dict) -> str:
    """An analogy panel's text in this lens and language, with the live numbers filled in."""
    text = PANELS[name][lens][LANG_INDEX[lang]]
    return text.format(**nums)


def leash(kl_coef: float, lens: str, lang: str) -> str:
    return LEASH["some" if kl_coef > 0 else "none"][lens][LANG_INDEX[lang]].format(kl_coef=kl_coef)


def verdict(key: str, lens: str, lang: str) -> str:
    return VERDICT[key][lens][LANG_INDEX[lang]]


def trend(key: str, lang: str) -> str:
    return TREND[key][lang]


def story(lens: str, lang: str) -> str:
    return HOME_STORY[lens][LANG_INDEX[lang]]


def lens_title(lens: str, lang: str) -> str:
    return LENS_TITLE[lens][lang]


def url_warning(w, lang: str) -> str:
    """A ui.state.UrlWarning as a sentence."""
    return t(f"url_{w.reason}", lang, name=w.name, raw=w.raw, allowed=w.allowed, used=w.used)


# -- the trade-off explorer and the deepened challenges page ---------------------------------------------
T.update({
    "page_explorer": {"zh": "取舍地图", "en": "Trade-off explorer"},
    "ex_intro": {
        "zh": "同一个小模型，把“缰绳松紧”和“评审爱听奉承的程度”的每种组合都练一遍，每种组合换 {n_seed} 个随机种子"
        "（{n_seed} 个世界）。整张图算完后，挪动滑块会立刻从缓存给出答案。",
        "en": "The same tiny model, trained for every pairing of leash strength and the judges' love of flattery, "
        "each in {n_seed} world(s) (random seeds). Once the whole map is computed, every slider move answers at "
        "once from the cache.",
    },
    "ex_not_in_grid": {
        "zh": "评审偏好 {bias:g} 不在这张图的网格里（{stops}），这里显示最近的 {near:g}。",
        "en": "Judges' bias {bias:g} is not on this map's grid ({stops}); showing the nearest, {near:g}.",
    },
    "ex_bad_grid": {
        "zh": "环境变量 WUJI_EXPLORER_GRID={raw} 无效（示例：kl=0,0.1;bias=0,0.9;seeds=0，取值须在滑块刻度上），"
        "改用完整网格。",
        "en": "WUJI_EXPLORER_GRID={raw} is not valid (e.g. kl=0,0.1;bias=0,0.9;seeds=0, values on the slider stops): "
        "using the full map.",
    },
    "ex_status": {
        "zh": "已算完 {done} / {total} 组（缰绳 {n_kl} 档 × 评审偏好 {n_bias} 档 × {n_seed} 个种子）。",
        "en": "{done} of {total} runs finished ({n_kl} leash stops × {n_bias} bias stops × {n_seed} seeds).",
    },
    "ex_start": {"zh": "计算整张取舍地图", "en": "Compute the whole map"},
    "ex_eta": {
        "zh": "约需 {eta} 秒。整张图只算一次：别人已开始计算时，按下按钮就一起等同一份结果。",
        "en": "About {eta} s. The map is computed once: if someone has started it, pressing joins the same work.",
    },
    "ex_running": {
        "zh": "正在计算第 {i} / {n} 组（已用 {sec:.0f} 秒）。已算完的部分先画出来，每隔几秒更新一次。",
        "en": "Computing run {i} of {n} ({sec:.0f} s so far). What is finished is drawn already and refreshes "
        "every few seconds.",
    },
    "ex_done": {
        "zh": "整张地图已算完：挪动滑块，答案立刻从缓存里来。",
        "en": "The whole map is computed: move a slider and the answer comes straight from the cache.",
    },
    "ex_empty": {
        "zh": "还没有任何一组算完。按上面的按钮开始。",
        "en": "No run is finished yet. Press the button above to start.",
    },
    "ex_frontier_t": {"zh": "本领与讨好的取舍线", "en": "The frontier: skill against pleasing the judges"},
    "ch_frontier": {
        "zh": "每条线一种评审偏好；沿线从缰绳最紧（1）到完全不拴（0）",
        "en": "One curve per judges' bias; along it, from the tightest leash (1) to none (0)",
    },
    "ch_frontier_proxy": {"zh": "横轴：评审打分", "en": "Across: the judges' score"},
    "ch_frontier_gold": {"zh": "横轴：真实质量", "en": "Across: the true quality"},
    "ex_frontier_cap": {
        "zh": "点是 {n_seed} 个种子的平均，阴影和横线是平均 ± 1 个标准差（种子之间的差别：噪声有多大）。空心菱形是"
        "学处世之前的起点，星号是当前滑块的位置。",
        "en": "Points are the mean of {n_seed} seed(s); the shading and the horizontal bars are mean ± 1 standard "
        "deviation (how much the seeds differ: the noise). Hollow diamonds are the start before RLHF; the star is "
        "where the sliders are.",
    },
    "bias_curve": {"zh": "评审偏好 {b:g}", "en": "judges' bias {b:g}"},
    "start_point": {"zh": "起点（学处世前）", "en": "start (before RLHF)"},
    "current_point": {"zh": "当前滑块", "en": "current sliders"},
    "ex_heat_t": {"zh": "整张网格一览", "en": "The whole grid at a glance"},
    "ch_heat": {
        "zh": "每格是 {n_seed} 个种子的平均；方框是当前滑块",
        "en": "Each cell is the mean of {n_seed} seed(s); the box is where the sliders are",
    },
    "ex_overopt_t": {
        "zh": "讨好过头：真实质量先涨后跌（Gao 等，2022）",
        "en": "Over-optimisation: the true quality rises, then falls (Gao et al. 2022)",
    },
    "ch_overopt": {
        "zh": "离学处世前的自己越远（d = √KL），分数怎样变",
        "en": "How the scores change as he moves away from his old self (d = √KL)",
    },
    "ch_overopt_gold": {"zh": "真实质量的增益", "en": "Gain in true quality"},
    "ch_overopt_proxy": {"zh": "评审打分的增益", "en": "Gain in the judges' score"},
    "ex_overopt_cap": {
        "zh": "点：当前评审偏好和缰绳下 PPO 每次评估的位置（{n_seed} 个种子合在一起）以及其他方法的点；线：按论文的"
        "函数形式拟合——强化学习 R(d)=d(α−β·ln d)，best-of-n R(d)=d(α−β·d)，其中 best-of-n 的 KL = ln n − (n−1)/n。",
        "en": "Points: every evaluation of PPO at the current judges' bias and leash ({n_seed} seed(s) pooled), and "
        "the other methods' points; lines: fits of the paper's forms — RL R(d) = d(α − β·ln d), best-of-n "
        "R(d) = d(α − β·d), with best-of-n's KL = ln n − (n − 1)/n.",
    },
    "ex_fit_t": {"zh": "拟合结果", "en": "The fits"},
    "fit_method": {"zh": "方法", "en": "method"},
    "fit_reward": {"zh": "分数", "en": "score"},
    "fit_form": {"zh": "函数形式", "en": "form"},
    "fit_peak": {"zh": "峰值处 KL", "en": "KL at the peak"},
    "fit_points": {"zh": "点数", "en": "points"},
    "fit_none": {"zh": "无峰值", "en": "no peak"},
    "form_rl": {"zh": "d(α−β·ln d)", "en": "d(α − β·ln d)"},
    "form_bon": {"zh": "d(α−β·d)", "en": "d(α − β·d)"},
    "ex_nofit": {
        "zh": "这组设置的点太少（少于两个不同的 d），拟合不了。",
        "en": "Too few points for these settings (fewer than two distinct d) to fit.",
    },
    "ex_methods_t": {"zh": "别的对齐办法，放在同一张图上", "en": "Other ways to align, on the same plots"},
    "ex_methods_btn": {
        "zh": "加入 best-of-n、DPO、RLOO（种子 {seed}，评审偏好 {bias:g}，缰绳 {kl:g}）",
        "en": "Add best-of-n, DPO and RLOO (seed {seed}, judges' bias {bias:g}, leash {kl:g})",
    },
    "ex_methods_eta": {
        "zh": "它们用同一个监督微调模型和同一个评审模型，约需 {eta} 秒。",
        "en": "They start from the same fine-tuned model and the same judging model: about {eta} s.",
    },
    "ex_methods_running": {
        "zh": "正在计算：{method}（已用 {sec:.0f} 秒）",
        "en": "Computing: {method} ({sec:.0f} s so far)",
    },
    "ex_methods_shown": {
        "zh": "图上的 best-of-n、DPO、RLOO 来自种子 {seed}、评审偏好 {bias:g}（RLOO 的缰绳 {kl:g}）。best-of-n 不改"
        "模型、没有“最稳妥的答案”，它的本领按挑中的采样回答算，只和它自己 n=1 的点比。",
        "en": "Best-of-n, DPO and RLOO on the plots come from seed {seed}, judges' bias {bias:g} (RLOO's leash "
        "{kl:g}). Best-of-n changes no weights and has no greedy answer: its skill is read from the sampled answers "
        "it keeps, so compare it with its own n = 1 point.",
    },
    "sweep_running_other": {
        "zh": "另有 {n} 人也在等这张地图。",
        "en": "{n} other participant(s) are waiting for this map too.",
    },
    "job_queued": {
        "zh": "排队中：第 {place} 位，大约 {wait:.0f} 秒后开始。",
        "en": "Queued: number {place}, starting in about {wait:.0f} s.",
    },
    "job_failed": {"zh": "计算出错：{msg}", "en": "The computation failed: {msg}"},
    "job_stopped": {
        "zh": "已停下；算完的部分都已保存。",
        "en": "Stopped; everything finished so far is saved.",
    },
    # -- challenges: the bosses, the cost in FLOPs, A -> B ------------------------------------------------
    "ch_bosses_t": {
        "zh": "口味不同的几位领导：分歧、评分标准、多请几个人",
        "en": "Bosses with different tastes: disagreement, a rubric, more raters",
    },
    "bosses_intro": {
        "zh": "这是一个单独的小实验：五位评审各有脾气，有人偏爱简短，有人偏爱详尽，判断也更随性。下面的分歧是"
        "当场算出的；它们对评审模型和最终真实质量的影响要训练才知道。",
        "en": "A separate small experiment: five judges, each with a temper — some like it short, some like it "
        "thorough — and less consistent in their calls. The disagreement below is computed at once; what it does to "
        "the judging model and the final true quality takes a training run.",
    },
    "rubric": {"zh": "写清评分标准", "en": "A clear rubric"},
    "rubric_help": {
        "zh": "偏爱好听话的程度减半，个人对长短的口味放到一边。",
        "en": "Halves the love of flattery and sets personal tastes for length aside.",
    },
    "votes": {"zh": "每对回答请几位评审投票", "en": "Judges voting on each pair"},
    "votes_help": {
        "zh": "多数决：人越多，个人一时的随意就越不算数。",
        "en": "Majority vote: the more judges, the less one judge's whim counts.",
    },
    "ch_bosses": {
        "zh": "评审之间的分歧，与最终评语的错误",
        "en": "How the judges disagree, and how often the verdict is wrong",
    },
    "ch_boss_matrix": {
        "zh": "两两之间意见相左的比例（对角线：同一人问两次）",
        "en": "How often two judges disagree (diagonal: one judge asked twice)",
    },
    "ch_label_error": {
        "zh": "最终评语与真实好坏相反的比例",
        "en": "Share of final verdicts that contradict the true quality",
    },
    "boss": {"zh": "评审 {i}", "en": "Judge {i}"},
    "taste_eff": {"zh": "（重效率）", "en": " (efficiency)"},
    "taste_mid": {"zh": "（居中）", "en": " (middle)"},
    "taste_detail": {"zh": "（重细节）", "en": " (detail)"},
    "rubric_on": {"zh": "有评分标准", "en": "with a rubric"},
    "rubric_off": {"zh": "没有评分标准", "en": "no rubric"},
    "disagree_metric": {"zh": "两位评审意见相左", "en": "Two judges disagree"},
    "error_metric": {"zh": "评语与真实好坏相反", "en": "Verdicts against true quality"},
    "ch_judging": {
        "zh": "训练后的结果（已练完的设置）",
        "en": "After training (finished settings)",
    },
    "ch_judging_gold_agreement": {"zh": "评审模型与真实好坏一致", "en": "Judging model agrees with true quality"},
    "ch_judging_gold_reward": {"zh": "PPO 后的真实质量", "en": "True quality after PPO"},
    "bosses_train": {
        "zh": "训练这组评审设置（{rubric}，{votes} 人投票）",
        "en": "Train this panel setting ({rubric}, {votes} voting)",
    },
    "bosses_hint": {
        "zh": "评审偏好和缰绳取自侧栏的当前设置（{bias:g}、{kl:g}，种子 {seed}）；图中只画已练完的设置。",
        "en": "The judges' bias and the leash are the current settings ({bias:g}, {kl:g}, seed {seed}); only "
        "finished settings are drawn.",
    },
    "bosses_running": {
        "zh": "正在训练这组评审设置（已用 {sec:.0f} 秒）",
        "en": "Training this panel setting ({sec:.0f} s so far)",
    },
    "ch_flops_t": {"zh": "算力账：这里花了多少，真模型花了多少", "en": "The compute bill: here, and for a real model"},
    "ch_flops": {
        "zh": "训练用的浮点运算次数（对数坐标）",
        "en": "Floating-point operations spent training (log scale)",
    },
    "flops_axis": {"zh": "浮点运算次数（FLOPs）", "en": "floating-point operations (FLOPs)"},
    "flops_here": {"zh": "这里 · {stage}", "en": "here · {stage}"},
    "gpt3_pretrain": {"zh": "GPT-3 175B · 预训练", "en": "GPT-3 175B · pretraining"},
    "instructgpt_sft": {"zh": "InstructGPT 175B · 监督微调", "en": "InstructGPT 175B · SFT"},
    "instructgpt_ppo": {"zh": "InstructGPT 175B · PPO-ptx", "en": "InstructGPT 175B · PPO-ptx"},
    "cost_sources": {
        "zh": "来源：GPT-3 175B 预训练 3.14×10²³ FLOPs（Brown 等 2020，《Language Models are Few-Shot Learners》"
        "附录 D 表 D.1，即 3,640 petaflop/s-days）；InstructGPT 175B 监督微调 4.9、PPO-ptx 60 petaflop/s-days（Ouyang "
        "等 2022，《Training language models to follow instructions with human feedback》第 5.1 节）；1 petaflop/s-day"
        " = 8.64×10¹⁹ FLOPs。这里的数字按 6N + 注意力 每个训练 token 估算（sim/cost.py）。",
        "en": "Sources: GPT-3 175B pretraining 3.14×10²³ FLOPs (Brown et al. 2020, “Language Models are Few-Shot "
        "Learners”, Appendix D, Table D.1: 3,640 petaflop/s-days); InstructGPT 175B SFT 4.9 and PPO-ptx 60 "
        "petaflop/s-days (Ouyang et al. 2022, “Training language models to follow instructions with human "
        "feedback”, section 5.1); 1 petaflop/s-day = 8.64×10¹⁹ FLOPs. Ours are estimated at 6N + attention per "
        "trained token (sim/cost.py).",
    },
    "ch_ab_t": {"zh": "A 项目练过的，B 项目没练过", "en": "Practised on project A, never on project B"},
    "ch_ab": {
        "zh": "PPO 前后：练过的题型 与 没练过的题型",
        "en": "Before and after PPO: kinds practised vs kinds never practised",
    },
    "ab_seen": {"zh": "A · 练过的题型", "en": "A · practised kinds"},
    "ab_held": {"zh": "B · 没练过的题型", "en": "B · unseen kinds"},
    "ab_no_gold": {
        "zh": "这次的结果没有记录每类题的真实质量（较早的缓存）；只画本领。",
        "en": "This run did not record the true quality per kind (an older cache entry); only skill is drawn.",
    },
})

PANELS.update({
    "frontier": {
        "wuxia": (
            "前辈爱听奉承 {bias:.1f}、缰绳 {kl_coef:g}：{n_seed} 个世界（种子）里，张无忌的本领平均从 {cap0:.0%} 变成 "
            "{cap:.0%}，真实质量从 {gold0:.2f} 变成 {gold:.2f}，前辈打分 {proxy:.2f}。遇上这样的前辈，缰绳 "
            "{best_kl:g} 时真功夫保得最好（真实质量 {best_gold:.2f}）。",
            "Elders' love of flattery {bias:.1f}, leash {kl_coef:g}: across {n_seed} world(s) (seeds) Zhang Wuji's "
            "skill goes from {cap0:.0%} to {cap:.0%} on average, the true quality from {gold0:.2f} to {gold:.2f}, "
            "and the elders score him {proxy:.2f}. With elders like these, a leash of {best_kl:g} keeps the most "
            "real skill (true quality {best_gold:.2f}).",
        ),
        "work": (
            "领导爱听好话 {bias:.1f}、缰绳 {kl_coef:g}：{n_seed} 家公司（种子）平均下来，他的业务能力从 {cap0:.0%} 到 "
            "{cap:.0%}，工作真实质量从 {gold0:.2f} 到 {gold:.2f}，领导打分 {proxy:.2f}。碰上这样的领导，缰绳 "
            "{best_kl:g} 最能保住真本事（真实质量 {best_gold:.2f}）。",
            "Bosses' taste for good news {bias:.1f}, leash {kl_coef:g}: averaged over {n_seed} company(ies) (seeds), "
            "his skill goes from {cap0:.0%} to {cap:.0%}, the real quality of his work from {gold0:.2f} to {gold:.2f}, "
            "and the bosses rate him {proxy:.2f}. Under bosses like these, a leash of {best_kl:g} protects real "
            "ability best (quality {best_gold:.2f}).",
        ),
        "tech": (
            "标注偏差 {bias:.1f}、KL 系数 {kl_coef:g}，{n_seed} 个种子的均值：能力 {cap0:.0%} → {cap:.0%}，gold 奖励 "
            "{gold0:.2f} → {gold:.2f}，代理奖励 {proxy:.2f}。该偏差下 gold 奖励最高的 KL 系数是 {best_kl:g}"
            "（{best_gold:.2f}）。",
            "Annotator bias {bias:.1f}, KL coefficient {kl_coef:g}, mean of {n_seed} seed(s): capability {cap0:.0%} → "
            "{cap:.0%}, gold reward {gold0:.2f} → {gold:.2f}, proxy reward {proxy:.2f}. At this bias the KL "
            "coefficient with the highest gold reward is {best_kl:g} ({best_gold:.2f}).",
        ),
    },
    "overopt": {
        "wuxia": (
            "把他的每一步按离原来的自己有多远（d）排开：真实质量先涨后跌。拟合 α={alpha:.2f}、β={beta:.2f}"
            "（R²={r2:.2f}）：偏到 KL≈{kl_peak:.2g} 时真功夫最好，再往前走，讨前辈欢心就要拿真本事去换。",
            "Lay out his steps by how far he has strayed from his old self (d): the true quality rises, then falls. "
            "Fit α={alpha:.2f}, β={beta:.2f} (R²={r2:.2f}): his real skill is best at a drift of KL≈{kl_peak:.2g}; "
            "beyond it, pleasing the elders is paid for with real skill.",
        ),
        "work": (
            "横轴是他的做事方式离入职时有多远。工作真实质量先升后降（α={alpha:.2f}、β={beta:.2f}，R²={r2:.2f}）"
            "：偏到 KL≈{kl_peak:.2g} 时最好；再往后，讨领导欢心就要赔上真本事。",
            "Across is how far his way of working has moved since he joined. The real quality of his work rises, "
            "then falls (α={alpha:.2f}, β={beta:.2f}, R²={r2:.2f}): best at a drift of KL≈{kl_peak:.2g}; past it, "
            "winning the boss over costs real ability.",
        ),
        "tech": (
            "Gao 等（2022）的强化学习形式 R(d)=d(α−β·ln d)，d=√KL：gold 奖励增益拟合 α={alpha:.2f}、β={beta:.2f}，"
            "R²={r2:.2f}；峰值在 d={d_peak:.2f}（KL≈{kl_peak:.2g}），增益 {gain_peak:+.2f}。",
            "Gao et al. (2022), RL form R(d) = d(α − β·ln d), d = √KL: the gold-reward gain fits α={alpha:.2f}, "
            "β={beta:.2f}, R²={r2:.2f}; it peaks at d={d_peak:.2f} (KL≈{kl_peak:.2g}) with a gain of "
            "{gain_peak:+.2f}.",
        ),
    },
    "overopt_none": {
        "wuxia": (
            "这一路上真实质量还没有掉头（拟合 α={alpha:.2f}、β={beta:.2f}，R²={r2:.2f}）：在这样的前辈和缰绳下，"
            "讨好还没开始伤到真功夫。把评审偏好拨到 0.9、缰绳拨到 0 再看看。",
            "Along this path the true quality has not turned yet (fit α={alpha:.2f}, β={beta:.2f}, R²={r2:.2f}): "
            "with these elders and this leash, pleasing them has not started to hurt his real skill. Try judges' "
            "bias 0.9 and leash 0.",
        ),
        "work": (
            "这一路工作真实质量还没有回落（α={alpha:.2f}、β={beta:.2f}，R²={r2:.2f}）：讨好领导还没开始赔上真本"
            "事。试试把领导爱听好话调到 0.9、缰绳调到 0。",
            "Along this path the real quality of the work has not dropped (α={alpha:.2f}, β={beta:.2f}, "
            "R²={r2:.2f}): pleasing the boss has not started to cost real ability. Try bias 0.9 and leash 0.",
        ),
        "tech": (
            "在已走到的范围内（最远 d={d_max:.2f}），gold 奖励增益没有峰值（α={alpha:.2f}、β={beta:.2f}，"
            "R²={r2:.2f}）。",
            "Within the range reached (up to d={d_max:.2f}) the gold-reward gain has no peak (α={alpha:.2f}, "
            "β={beta:.2f}, R²={r2:.2f}).",
        ),
    },
    "method_bon": {
        "wuxia": (
            "挑最好的一招：每道题先想出 n 种答法，只把前辈最爱听的那一种说出口，自己的功夫一点没变。n 从 1 到 64，"
            "真实质量在 n={best_n} 时最好（{best_gold:.2f}），挑到 64 个时是 {gold1:.2f}——挑得越狠，越容易挑中"
            "前辈爱听的那句。",
            "Pick the best move: for each question he thinks of n answers and says only the one the elders will like "
            "most — his own skill does not change at all. From n = 1 to 64 the true quality is best at n = {best_n} "
            "({best_gold:.2f}) and {gold1:.2f} at 64: the harder he picks, the surer he picks what they want to hear.",
        ),
        "work": (
            "交稿前写 n 份草稿，只交领导最可能喜欢的那一份；人还是原来的人。真实质量在 n={best_n} 时最好"
            "（{best_gold:.2f}），写到 64 份时是 {gold1:.2f}。",
            "Before handing in, he drafts n versions and submits the one the boss will most likely like; he himself "
            "is unchanged. Real quality is best at n = {best_n} ({best_gold:.2f}) and {gold1:.2f} at 64 drafts.",
        ),
        "tech": (
            "Best-of-n：SFT 模型采样 n 个回答，奖励模型留下分最高的；不训练，KL = ln n − (n−1)/n。gold 奖励在 "
            "n={best_n} 时最高（{best_gold:.2f}），n=64 时 {gold1:.2f}。",
            "Best-of-n: the SFT model samples n answers and the reward model keeps the top one; no training, "
            "KL = ln n − (n − 1)/n. Gold reward peaks at n = {best_n} ({best_gold:.2f}) and is {gold1:.2f} at n = 64.",
        ),
    },
    "method_dpo": {
        "wuxia": (
            "照着评语直接改：不请前辈当场打分，而是翻出前辈评过的一对对答法——“这个好，那个差”——照着改自己的"
            "习惯（β={beta:g} 管着别改过头）。本领 {cap0:.0%} → {cap1:.0%}，真实质量 {gold0:.2f} → {gold1:.2f}，"
            "偏离 {kl:.1f}。",
            "Mend by the verdicts: instead of asking the elders to score him live, he takes the pairs they already "
            "judged — “this one better, that one worse” — and reshapes his habits straight from them (β = {beta:g} "
            "keeps him from overdoing it). Skill {cap0:.0%} → {cap1:.0%}, true quality {gold0:.2f} → {gold1:.2f}, "
            "drift {kl:.1f}.",
        ),
        "work": (
            "拿着过去的评审意见直接改：领导比较过的一对对方案，他照着“哪份更好”调整自己，不再一份份交上去等打分"
            "（β={beta:g} 防止改过头）。能力 {cap0:.0%} → {cap1:.0%}，真实质量 {gold0:.2f} → {gold1:.2f}，偏离 "
            "{kl:.1f}。",
            "He works straight from past reviews: for each pair of proposals the bosses compared, he adjusts towards "
            "the one they preferred, without handing in new work to be scored (β = {beta:g} stops him overdoing "
            "it). Skill {cap0:.0%} → {cap1:.0%}, real quality {gold0:.2f} → {gold1:.2f}, drift {kl:.1f}.",
        ),
        "tech": (
            "DPO：直接在标注员的偏好对上优化策略，不用奖励模型打分，也不采样；β={beta:g} 起隐式 KL 约束的作用。"
            "能力 {cap0:.0%} → {cap1:.0%}，gold 奖励 {gold0:.2f} → {gold1:.2f}，KL {kl:.1f}。",
            "DPO: optimises the policy directly on the annotators' preference pairs — no reward-model scores, no "
            "sampling; β = {beta:g} acts as an implicit KL constraint. Capability {cap0:.0%} → {cap1:.0%}, gold "
            "reward {gold0:.2f} → {gold1:.2f}, KL {kl:.1f}.",
        ),
    },
    "method_rloo": {
        "wuxia": (
            "几招互相比：同一道题自己出 {k} 招，每一招和其余几招的平均比高下，强过平均的多练，弱的少用；缰绳 "
            "{kl_coef:g} 照样拴着。本领 {cap0:.0%} → {cap1:.0%}，真实质量 {gold0:.2f} → {gold1:.2f}，偏离 {kl:.1f}。",
            "Let the moves compete: for each question he tries {k} moves and rates each against the average of the "
            "others — above average, practise it more; below, use it less. The leash {kl_coef:g} still holds. Skill "
            "{cap0:.0%} → {cap1:.0%}, true quality {gold0:.2f} → {gold1:.2f}, drift {kl:.1f}.",
        ),
        "work": (
            "小组内互相比：同一个任务做出 {k} 份，每份和其余几份的平均水平比，好于平均就保持，差了就改；不必另请"
            "一位“预估师”先估分。缰绳 {kl_coef:g}。能力 {cap0:.0%} → {cap1:.0%}，真实质量 {gold0:.2f} → "
            "{gold1:.2f}，偏离 {kl:.1f}。",
            "Compare within the team: he does the same task {k} ways and measures each against the average of the "
            "others — keep what beats it, change what does not; no separate forecaster of what a piece should "
            "score. Leash {kl_coef:g}. Skill {cap0:.0%} → {cap1:.0%}, real quality {gold0:.2f} → {gold1:.2f}, "
            "drift {kl:.1f}.",
        ),
        "tech": (
            "RLOO：每个提示采样 {k} 个回答，以其余回答的平均奖励为基线（不需要价值头），奖励里同样减去 KL 系数 "
            "{kl_coef:g} 的惩罚。能力 {cap0:.0%} → {cap1:.0%}，gold 奖励 {gold0:.2f} → {gold1:.2f}，KL {kl:.1f}。",
            "RLOO: {k} answers a prompt, each baselined by the mean reward of the others (no value head), with the "
            "same KL penalty, coefficient {kl_coef:g}. Capability {cap0:.0%} → {cap1:.0%}, gold reward {gold0:.2f} "
            "→ {gold1:.2f}, KL {kl:.1f}.",
        ),
    },
    "challenge_bosses": {
        "wuxia": (
            "{n} 位前辈口味各异：有人嫌话多，有人嫌话少。同一对答法，任两位前辈意见相左的比例是 {dis:.0%}，口味最"
            "远的两位之间是 {ext:.0%}。{rubric_word}，每对请 {votes} 位前辈投票，最后的评语有 {err:.0%} 与真正的"
            "好坏相反。",
            "{n} elders with different tastes: some find long answers tiresome, others find short ones thin. On the "
            "same pair of answers, two elders disagree {dis:.0%} of the time, the two furthest apart {ext:.0%}. "
            "{rubric_word}, with {votes} elder(s) voting on each pair, {err:.0%} of the final verdicts contradict "
            "the true quality.",
        ),
        "work": (
            "{n} 位领导各有偏好：有的要短平快，有的要面面俱到。同一对方案，任意两位领导意见不一的比例是 "
            "{dis:.0%}，偏好最远的两位之间是 {ext:.0%}。{rubric_word}，每对方案由 {votes} 位领导投票，最终有 "
            "{err:.0%} 的评价与工作的真实质量相反。",
            "{n} bosses, each with a preference: one wants it short and quick, another wants every detail. On the "
            "same pair of proposals two bosses differ {dis:.0%} of the time, the two furthest apart {ext:.0%}. "
            "{rubric_word}, with {votes} boss(es) voting on each pair, {err:.0%} of the final reviews contradict the "
            "real quality of the work.",
        ),
        "tech": (
            "{n} 个标注员，长度偏好从 −1（简洁）到 +1（详尽）均匀分布，Bradley–Terry 噪声温度约 0.15。两两不一致率 "
            "{dis:.0%}（最远一对 {ext:.0%}）。{rubric_word}；每对 {votes} 票多数决，标签与 gold 相反的比例 "
            "{err:.0%}。",
            "{n} annotators with length preferences spread from −1 (concise) to +1 (thorough), Bradley–Terry "
            "noise temperature about 0.15. Pairwise disagreement {dis:.0%} (furthest pair {ext:.0%}). "
            "{rubric_word}; majority of {votes} vote(s) a pair: {err:.0%} of labels contradict gold.",
        ),
    },
    "challenge_flops": {
        "wuxia": (
            "这个小模型这一路共花了约 {total:.1e} 次浮点运算：练内力占 {pre_share:.0%}，学处世（评审模型 + PPO）"
            "占 {rl_share:.0%}。真正的大模型练内力要多出约 {orders} 个数量级；可即便在那里，学处世也只用了练内力"
            "的 {ig_share:.1%}——内力是大头，处世是点睛。",
            "This little model spent about {total:.1e} floating-point operations in all: {pre_share:.0%} on inner "
            "strength, {rl_share:.0%} on the ways of the world (judging model + PPO). A real large model's inner "
            "strength costs about {orders} orders of magnitude more; yet even there the ways of the world took only "
            "{ig_share:.1%} of it — inner strength is the bulk, manners the finishing touch.",
        ),
        "work": (
            "培养这位“员工”共花了约 {total:.1e} 次运算：读书阶段占 {pre_share:.0%}，适应文化（评审模型 + PPO）占 "
            "{rl_share:.0%}。真实的大模型，读书阶段要多投入约 {orders} 个数量级，而入职后的调整只相当于读书投入的 "
            "{ig_share:.1%}：底子最贵，调教反而便宜。",
            "Growing this “employee” took about {total:.1e} operations: {pre_share:.0%} in the study years, "
            "{rl_share:.0%} fitting into the culture (judging model + PPO). For a real large model the study years "
            "cost about {orders} orders of magnitude more, and the adjustment after joining only {ig_share:.1%} of "
            "that: the foundation is the expensive part, the polish is cheap.",
        ),
        "tech": (
            "训练 FLOPs（每个训练 token 6N + 注意力）：预训练 {pre_share:.0%}，奖励模型 + PPO {rl_share:.0%}，共 "
            "{total:.1e}。GPT-3 175B 的预训练多约 {orders} 个数量级；InstructGPT 175B 的 PPO-ptx 只用了 GPT-3 "
            "预训练算力的 {ig_share:.1%}。",
            "Training FLOPs (6N + attention per trained token): pretraining {pre_share:.0%}, reward model + PPO "
            "{rl_share:.0%}, {total:.1e} in all. GPT-3 175B's pretraining is about {orders} orders of magnitude "
            "more; InstructGPT 175B's PPO-ptx used only {ig_share:.1%} of GPT-3's pretraining compute.",
        ),
    },
    "challenge_ab": {
        "wuxia": (
            "在练过的场合，本领 {seen0:.0%} → {seen1:.0%}、真实质量 {gseen0} → {gseen1}；到了从没练过的数数和排序，"
            "本领 {held0:.0%} → {held1:.0%}、真实质量 {gheld0} → {gheld1}。学来的处世之道，换个江湖还剩几分？",
            "Where he practised: skill {seen0:.0%} → {seen1:.0%}, true quality {gseen0} → {gseen1}. On counting "
            "and sorting, never practised: skill {held0:.0%} → {held1:.0%}, true quality {gheld0} → {gheld1}. How "
            "much of his new manners survives in another corner of the martial world?",
        ),
        "work": (
            "A 项目（PPO 练过的任务）：能力 {seen0:.0%} → {seen1:.0%}，真实质量 {gseen0} → {gseen1}；B 项目（没练过"
            "的数数、排序）：能力 {held0:.0%} → {held1:.0%}，真实质量 {gheld0} → {gheld1}。换了项目，还灵不灵？",
            "Project A (the tasks PPO practised): skill {seen0:.0%} → {seen1:.0%}, real quality {gseen0} → "
            "{gseen1}. Project B (counting and sorting, never practised): skill {held0:.0%} → {held1:.0%}, real "
            "quality {gheld0} → {gheld1}. Does it still work on a new project?",
        ),
        "tech": (
            "训练题型：能力 {seen0:.0%} → {seen1:.0%}，gold 奖励 {gseen0} → {gseen1}；留出题型（count、sort，从不"
            "参加 PPO）：能力 {held0:.0%} → {held1:.0%}，gold 奖励 {gheld0} → {gheld1}。",
            "Practised kinds: capability {seen0:.0%} → {seen1:.0%}, gold reward {gseen0} → {gseen1}; held-out "
            "kinds (count, sort, never in PPO): capability {held0:.0%} → {held1:.0%}, gold reward {gheld0} → "
            "{gheld1}.",
        ),
    },
})

PEAK = {  # the mark at the gold peak of the over-optimisation plot, per lens
    "wuxia": ("从这里起，讨前辈欢心要拿真功夫来换", "From here on, pleasing the elders costs real skill"),
    "work": ("从这里起，讨好领导开始赔上真本事", "From here on, pleasing the boss starts to cost real work"),
    "tech": ("gold 奖励峰值：再往前就是过度优化", "Gold-reward peak: beyond it lies over-optimisation"),
}

RUBRIC = {  # the rubric switch inside the "challenge_bosses" panel
    "on": {
        "wuxia": ("立了明确的评判规矩（偏爱减半、个人口味放一边）", "With clear rules for judging (half the bias, "
                  "personal tastes set aside)"),
        "work": ("有了书面评分标准", "With a written scoring standard"),
        "tech": ("启用评分细则：偏差减半、口味权重为 0", "Rubric on: bias halved, taste weight 0"),
    },
    "off": {
        "wuxia": ("没有明确的评判规矩", "Without clear rules for judging"),
        "work": ("没有书面评分标准", "Without a written standard"),
        "tech": ("无评分细则", "No rubric"),
    },
}


def peak(lens: str, lang: str) -> str:
    return PEAK[lens][LANG_INDEX[lang]]


def rubric_word(on: bool, lens: str, lang: str) -> str:
    return RUBRIC["on" if on else "off"][lens][LANG_INDEX[lang]]


# -- the guided tour, scenarios, predict-then-see, presenter mode and slides (issue 6) ---------------------
T.update({
    "page_tour": {"zh": "导览 · 一步一步看", "en": "Guided tour"},
    "tour_intro": {
        "zh": "每一步一张图、一个比方、一件可以动手的事。用键盘 ← → 或下面的按钮翻页。",
        "en": "Each step: one chart, one analogy, one thing to do. Turn the pages with the ← → keys or the buttons.",
    },
    "tour_back": {"zh": "← 上一步", "en": "← Back"},
    "tour_next": {"zh": "下一步 →", "en": "Next →"},
    "tour_progress": {"zh": "第 {i} / {n} 步 · {chapter}", "en": "Step {i} of {n} · {chapter}"},
    "tour_try": {"zh": "动手试试", "en": "Try this"},
    "tour_scene": {"zh": "这一步从场景“{name}”出发。", "en": "This step starts from the scenario “{name}”."},
    "tour_no_doc": {
        "zh": "这一步的图要等这组设置练完才画得出来。",
        "en": "This step's chart appears once these settings are trained.",
    },
    "predict_title": {"zh": "先猜，再看", "en": "Predict, then see"},
    "guess_first": {"zh": "先选一个答案，结果才会出现。", "en": "Pick an answer first: then the result appears."},
    "guess_up": {"zh": "上升", "en": "rise"},
    "guess_flat": {"zh": "不变", "en": "hold"},
    "guess_down": {"zh": "下降", "en": "fall"},
    "guess_vs_result": {
        "zh": "你猜：{guess} · 实际：{what}{trend}（{a:.0%} → {b:.0%}）· {verdict}",
        "en": "You guessed: {guess} · What happened: {what} {trend} ({a:.0%} → {b:.0%}) · {verdict}",
    },
    "guess_right": {"zh": "猜对了！", "en": "right!"},
    "guess_wrong": {
        "zh": "没猜中——这正是值得细看的地方。",
        "en": "not this time — which is exactly what is worth a look.",
    },
    "room_now": {
        "zh": "全场已有 {n} 人猜了这一题：上升 {up} · 不变 {flat} · 下降 {down}",
        "en": "{n} in the room guessed this one: rise {up} · hold {flat} · fall {down}",
    },
    "room_title": {"zh": "全场的猜测（给主持人看）", "en": "The room's guesses (for the facilitator)"},
    "room_chart": {"zh": "全场猜了什么（每组设置一行）", "en": "What the room guessed (one row a setting)"},
    "room_axis": {"zh": "人数", "en": "people"},
    "room_empty": {"zh": "还没有人猜。", "en": "Nobody has guessed yet."},
    "sc_title": {"zh": "一键场景", "en": "Scenarios, one click each"},
    "sc_balanced": {"zh": "均衡", "en": "Balanced"},
    "sc_hacking": {"zh": "钻空子：他只会说好听的话", "en": "Reward hacking: only sweet words"},
    "sc_leashed": {"zh": "缰绳太紧：他一点不变", "en": "Over-leashed: never changes"},
    "sc_weak": {"zh": "内力不足：没有预训练", "en": "Weak 内力: no pretraining"},
    "sc_link": {"zh": "当前设置的链接，复制即可分享：", "en": "The link to these settings, to copy and share:"},
    "sc_current": {"zh": "当前场景：{name}", "en": "Current scenario: {name}"},
    "sc_custom": {"zh": "自定义", "en": "custom"},
    "pm_toggle": {
        "zh": "演示模式（投影用：大字、隐藏侧栏）",
        "en": "Presenter mode (projector: large type, no sidebar)",
    },
    "pm_menu": {"zh": "演示设置", "en": "Presenter"},
    "pm_theme": {"zh": "配色", "en": "Colours"},
    "theme_light": {"zh": "浅色", "en": "Light"},
    "theme_dark": {"zh": "深色", "en": "Dark"},
    "pm_exit": {"zh": "退出演示模式", "en": "Leave presenter mode"},
    "sl_title": {"zh": "导出幻灯片", "en": "Export slides"},
    "sl_step": {"zh": "这一步（HTML）", "en": "This step (HTML)"},
    "sl_run": {"zh": "整段故事（HTML 报告）", "en": "The whole run (HTML report)"},
    "sl_png": {
        "zh": "要 PNG：把鼠标移到图上，点右上角的相机按钮；HTML 报告里还有“把每张图存成 PNG”的按钮。"
        "报告不联网也能打开。",
        "en": "For PNG: hover over a chart and press its camera button; the HTML report also has a “Save every "
        "chart as PNG” button. The report opens without a network.",
    },
    "report_title": {"zh": "无忌 · 一次训练的故事", "en": "Wuji · the story of one run"},
    "report_settings": {"zh": "设置：{what}", "en": "Settings: {what}"},
    "report_png_all": {"zh": "把每张图存成 PNG", "en": "Save every chart as PNG"},
    "report_link": {"zh": "在应用里打开这组设置", "en": "Open these settings in the app"},
})

CHAPTERS = {  # the tour's three stages, per lens
    "wuxia": (("九阳神功", "The Nine Suns art"), ("乾坤大挪移", "The Great Shift"), ("江湖处世", "Ways of the world")),
    "work": (("读书打底", "School years"), ("试用期", "Probation"), ("公司文化", "Company culture")),
    "tech": (("预训练", "Pretraining"), ("监督微调", "Supervised fine-tuning"), ("RLHF", "RLHF")),
}

# step -> lens -> (title zh, title en, what to do zh, what to do en)
STORY = {
    "inner": {
        "wuxia": (
            "九阳神功：山谷里只练内力",
            "The Nine Suns: inner strength alone, in the valley",
            "看误差曲线一路往下：他越来越会猜下一个字。再打开“内力”页，读读他在每个检查点写的话——从一堆乱码慢慢"
            "变成句子。",
            "Follow the error curve down: he gets better and better at guessing the next character. Then open the "
            "Inner strength page and read what he writes at each checkpoint — a jumble slowly turning into sentences.",
        ),
        "work": (
            "读书的岁月：天天做完形填空",
            "School years: a fill-in-the-blank test every day",
            "看误差曲线往下走：书读得越多，空填得越准。打开“内力”页，看看他每个阶段写出的句子。",
            "Watch the error curve go down: the more he reads, the better he fills the blanks. Open the Inner "
            "strength page to see the sentences he writes at each stage.",
        ),
        "tech": (
            "预训练：预测下一个字",
            "Pretraining: predict the next character",
            "留出文本上的损失随步数下降。到“内力”页看各检查点的采样文本。",
            "The held-out loss falls with the steps. See each checkpoint's sampled text on the Inner strength page.",
        ),
    },
    "budget": {
        "wuxia": (
            "内力是一切的根基",
            "Inner strength is the root of it all",
            "先想一想：不练内力，直接学招式，会差多少？再点下面的场景“内力不足”，练一次（十几秒）比一比。",
            "Think first: learning moves with no inner strength — how much worse? Then press the “Weak 内力” "
            "scenario below and train it (a dozen seconds) to compare.",
        ),
        "work": (
            "底子决定培训的效果",
            "The foundation decides what training can do",
            "想一想：没读过书的新人，同样的培训能学会多少？点下面的场景“内力不足”练一次看看。",
            "Consider: a new hire who never studied — how much can the same training teach him? Press the “Weak "
            "内力” scenario below and train it.",
        ),
        "tech": (
            "预训练预算决定微调的起点",
            "The pretraining budget sets fine-tuning's starting point",
            "点场景“内力不足”（0 步预训练）并训练，比较微调后的准确率。",
            "Press the “Weak 内力” scenario (0 pretraining steps), train it, and compare the accuracy after "
            "fine-tuning.",
        ),
    },
    "moves": {
        "wuxia": (
            "乾坤大挪移：一招一式有章法",
            "The Great Shift: moves with method",
            "在招式图上找出他最拿手的一招和最生疏的一招。图形撑得越开，招式越全。",
            "On the radar, find his best move and his weakest. The further the shape reaches out, the more "
            "complete his moves.",
        ),
        "work": (
            "试用期：照着规矩和范例做事",
            "Probation: working from rules and worked examples",
            "在图上找出他最熟练和最生疏的任务：试用期教会了他哪些，还差哪些？",
            "Find the task he does best and the one he does worst: what did probation teach him, and what is "
            "still missing?",
        ),
        "tech": (
            "监督微调：学会问答格式和各类任务",
            "Supervised fine-tuning: the answer format and the tasks",
            "比较各检查点在每类任务上的准确率，找出最高和最低的一类。",
            "Compare each checkpoint's accuracy per task kind; find the highest and the lowest.",
        ),
    },
    "judges": {
        "wuxia": (
            "江湖前辈来评判",
            "The elders of the martial world judge",
            "把“评审有多爱听奉承”拨到 0.9：黄色部分就是前辈们看好听话的分量。",
            "Move “How much the judges love flattery” to 0.9: the yellow part is how much the elders weigh "
            "sweet words.",
        ),
        "work": (
            "领导们组成评审团",
            "The bosses form a review panel",
            "把“评审有多爱听奉承”拨到 0.9：黄色部分就是领导们看汇报好不好听的分量。",
            "Move “How much the judges love flattery” to 0.9: the yellow part is how much the bosses weigh a "
            "nice-sounding report.",
        ),
        "tech": (
            "标注员与奖励模型",
            "Annotators and the reward model",
            "把标注偏差滑块拨到 0.9，看每个标注员效用里“表面吸引力”的权重。",
            "Move the bias slider to 0.9 and watch the weight of surface appeal in each annotator's utility.",
        ),
    },
    "ppo": {
        "wuxia": (
            "下山闯荡：一步步学处世",
            "Into the world: learning manners step by step",
            "前辈公正、缰绳拴着：两种分数一起涨。现在把缰绳（KL）拨到 0，盯住“拍马屁”那条线。",
            "Fair elders, leash on: both scores rise together. Now move the leash (KL) to 0 and keep your eye on "
            "the flattery line.",
        ),
        "work": (
            "适应公司文化：每周调整一点",
            "Fitting in: a little adjustment every week",
            "领导公正、缰绳拴着：打分和真实质量一起涨。把缰绳（KL）拨到 0，盯住“拍马屁”那条线。",
            "Fair bosses, leash on: score and real quality rise together. Move the leash (KL) to 0 and watch the "
            "flattery line.",
        ),
        "tech": (
            "PPO 与 KL 惩罚",
            "PPO with a KL penalty",
            "无偏标注下代理奖励与 gold 奖励同向。把 KL 系数拨到 0，观察奉承率。",
            "With unbiased annotators proxy and gold reward move together. Set the KL coefficient to 0 and watch "
            "the flattery rate.",
        ),
    },
    "predict": {
        "wuxia": (
            "前辈只爱听好话，缰绳也松开了",
            "Elders who love flattery, and no leash",
            "先猜，再看。看完把缰绳拉回 1，看拍马屁的比例降下来（要练几秒）。",
            "Guess first, then look. Afterwards pull the leash back to 1 and watch the flattery fall (a few "
            "seconds of training).",
        ),
        "work": (
            "领导只想听好消息，也没人提醒他",
            "Bosses who want only good news, and nobody to remind him",
            "先猜，再看。看完把缰绳拉回 1，看“报喜不报忧”是不是少了（要练几秒）。",
            "Guess first, then look. Afterwards pull the leash back to 1 and see whether the good-news-only habit "
            "fades (a few seconds of training).",
        ),
        "tech": (
            "高标注偏差、没有 KL 约束",
            "High annotator bias, no KL penalty",
            "先预测，再看结果。之后把 KL 系数调到 1 重新训练，比较奉承率。",
            "Predict, then look. Then set the KL coefficient to 1, retrain and compare the flattery rate.",
        ),
    },
    "moral": {
        "wuxia": (
            "先练本领，处世放最后",
            "Skill first, manners last",
            "点下面四个场景，比一比三个表盘：内力、招式、处世。哪一个场景把功夫丢了？",
            "Press the four scenarios below and compare the three gauges: inner strength, moves, ways of the "
            "world. Which one lost his kung fu?",
        ),
        "work": (
            "能力是立身之本",
            "Competence is what you stand on",
            "点下面四个场景，比较三个表盘：哪一种做法讨好了领导，却丢了专业？",
            "Press the four scenarios below and compare the three gauges: which way of working pleased the boss "
            "but cost him his competence?",
        ),
        "tech": (
            "能力先行，偏好最后，KL 约束不可少",
            "Capability first, preference last, keep the KL term",
            "切换四个场景，比较知识探针、微调准确率和 PPO 后（扣除奉承）的准确率。",
            "Switch between the four scenarios and compare the knowledge probe, the fine-tuned accuracy and the "
            "accuracy after PPO (net of flattery).",
        ),
    },
}

QUESTION = {  # predict-then-see: metric -> lens -> (zh, en), asked before the result shows
    "capability": {
        "wuxia": (
            "前辈爱听奉承的程度 {bias:g}，缰绳 {kl:g}。闯荡江湖之后，他的武功会上升、不变，还是下降？",
            "The elders love flattery at {bias:g}, the leash is {kl:g}. After his time in the martial world, "
            "will his skill rise, hold or fall?",
        ),
        "work": (
            "领导爱听好话的程度 {bias:g}，缰绳 {kl:g}。适应公司文化之后，他的专业能力会上升、不变，还是下降？",
            "The bosses want good news at {bias:g}, the leash is {kl:g}. After fitting into the company culture, "
            "will his competence rise, hold or fall?",
        ),
        "tech": (
            "标注偏差 {bias:g}，KL 系数 {kl:g}。PPO 之后，任务准确率会上升、不变，还是下降？",
            "Annotator bias {bias:g}, KL coefficient {kl:g}. After PPO, will task accuracy rise, hold or fall?",
        ),
    },
}

QUESTION_METRIC = {  # what the guess is about, in the sentence that shows the result
    "capability": {
        "wuxia": ("武功", "his skill"),
        "work": ("专业能力", "his competence"),
        "tech": ("任务准确率", "task accuracy"),
    },
}


def step_text(key: str, part: str, lens: str, lang: str) -> str:
    """A tour step's "title" or "do" (the thing to try) in this lens and language."""
    title_zh, title_en, do_zh, do_en = STORY[key][lens]
    return {"title": (title_zh, title_en), "do": (do_zh, do_en)}[part][LANG_INDEX[lang]]


def chapter(stage: int, lens: str, lang: str) -> str:
    return CHAPTERS[lens][stage][LANG_INDEX[lang]]


def question(metric: str, lens: str, lang: str, **kw) -> str:
    return QUESTION[metric][lens][LANG_INDEX[lang]].format(**kw)


def story_metric(metric: str, lens: str, lang: str) -> str:
    return QUESTION_METRIC[metric][lens][LANG_INDEX[lang]]


T.update(texts_hands.T)  # the hands-on features' strings (issue 8)
PANELS.update(texts_hands.PANELS)
