"""Every string the app shows, in Chinese and English, and the analogy panels (panel x lens x lang).

The analogies are the project's own writing, drawn from the meaning of the seed notes (张无忌's
growth; a new employee's growth); no sentence of the seed is copied. Panel texts carry format
placeholders (``{kl:.2f}``) that ``panel()`` fills with live numbers from ``ui.narrate``.
"""

from __future__ import annotations

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
    "cached_all": {"zh": "结果来自缓存，立即显示。", "en": "Results come from the cache, shown at once."},
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
            "KL 惩罚系数 {kl_coef:g}。策略与 SFT 模型的 KL（每个回答，全词表精确计算）为 {kl:.2f} nats；任"
            "务准确率{cap_trend}：{cap0:.0%} → {cap1:.0%}。",
            "KL penalty coefficient {kl_coef:g}. The policy's KL to the SFT model (per answer, exact over "
            "the vocabulary) is {kl:.2f} nats; task accuracy {cap_trend}: {cap0:.0%} → {cap1:.0%}.",
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
