"""The strings of the hands-on features (issue 8), in Chinese and English: PPO-ptx, the playground
(play / pause / step / reset), the sample timeline, and the room as annotators. ``ui.texts`` merges
``T`` and ``PANELS`` into its own tables, so every page reads them through ``texts.t`` / ``texts.panel``.
The analogies are the project's own writing (no sentence of the seed notes is copied).
"""

from __future__ import annotations

T = {
    # -- pages --------------------------------------------------------------------------------------
    "page_playground": {"zh": "亲手练 · 播放 / 暂停 / 单步", "en": "Hands on · play, pause, step"},
    "page_timeline": {"zh": "成长相册 · 回答时间线", "en": "Timeline of his answers"},
    # -- PPO-ptx ------------------------------------------------------------------------------------
    "ptx_switch": {
        "zh": "PPO-ptx：学处世时照旧温习九阳神功",
        "en": "PPO-ptx: keep practising the inner strength while learning the ways of the world",
    },
    "ptx_slider": {"zh": "温习的分量（ptx 系数）", "en": "How much practice (ptx coefficient)"},
    "ptx_help": {
        "zh": "InstructGPT 的做法：PPO 每次更新时，顺带在预训练语料上练一下“猜下一个字”。",
        "en": "InstructGPT's remedy: every PPO update also practises next-character prediction on the "
        "pretraining text.",
    },
    "ptx_compare": {
        "zh": "温习与否：同一组设置，本领与评审打分",
        "en": "With and without the practice: skill and judges' score, same settings",
    },
    "ptx_with": {"zh": "温习（ptx ×{c:g}）", "en": "with practice (ptx ×{c:g})"},
    "ptx_without": {"zh": "不温习", "en": "without practice"},
    "ptx_missing": {
        "zh": "不温习的那次还没练过：把开关关掉练一次，这里就能并排比较。",
        "en": "The run without practice has not been trained yet: switch PPO-ptx off and train it once "
        "to compare them side by side.",
    },
    # -- the playground -----------------------------------------------------------------------------
    "pg_intro": {
        "zh": "像 TensorFlow Playground 一样亲手推着他长大：播放、暂停、一步一步走，或把某一段倒回开头。"
        "还可以像 GAN Lab 那样只练评审、或只练他本人，看两边怎样互相牵动。",
        "en": "Push him through his growth by hand, as in TensorFlow Playground: play, pause, go step by "
        "step, or rewind a stage to its start. As in GAN Lab, you can also train only the judges, or only "
        "him, and watch how one pulls the other.",
    },
    "pg_start": {"zh": "从哪里开始", "en": "Start from"},
    "pg_start_pretrain": {"zh": "从头（随机的权重）", "en": "scratch (random weights)"},
    "pg_start_reward": {"zh": "学完招式之后（缓存的 SFT 模型）", "en": "after the moves (the cached SFT model)"},
    "pg_new": {"zh": "按这个起点开始", "en": "Start here"},
    "pg_play": {"zh": "播放", "en": "Play"},
    "pg_pause": {"zh": "暂停", "en": "Pause"},
    "pg_step": {"zh": "走一步", "en": "Step"},
    "pg_step_size": {"zh": "每次走几步", "en": "Steps per click"},
    "pg_reset": {"zh": "倒回", "en": "Rewind"},
    "pg_reset_which": {"zh": "倒回哪一段（其后各段也一起倒回）", "en": "Rewind which stage (the later ones too)"},
    "pg_step_judges": {"zh": "只练评审（奖励模型）", "en": "Step the judges only (reward model)"},
    "pg_step_policy": {"zh": "只练他本人（PPO 策略）", "en": "Step the policy only (PPO)"},
    "pg_gan": {
        "zh": "学完招式后，评审和他本人可以分开练：评审每多练一步，他面对的打分标准就跟着变。",
        "en": "After the moves, the judges and he can be trained apart: every step the judges take changes "
        "the scores he is trained against.",
    },
    "pg_stage": {"zh": "{stage}：第 {step} / {total} 步", "en": "{stage}: step {step} / {total}"},
    "pg_playing": {"zh": "播放中：每一拍练一小段，暂停不会丢失任何进度。", "en": "Playing: a small slice every tick; "
                   "pausing loses nothing."},
    "pg_paused": {"zh": "已暂停：一切都停在原处，随时接着练。", "en": "Paused: everything stays where it is; go on "
                  "whenever you like."},
    "pg_busy": {
        "zh": "服务器正在替别的参与者练一小段，这一拍轮空。",
        "en": "The server is training a slice for another participant; this tick waits its turn.",
    },
    "pg_all_done": {"zh": "四段都练完了。倒回某一段，可以再来一次。", "en": "All four stages are done. Rewind one "
                    "to go again."},
    "pg_not_started": {"zh": "还没开始：选好起点，按“按这个起点开始”。", "en": "Not started yet: pick a start and "
                       "press “Start here”."},
    "pg_bad_start": {"zh": "不能从这里开始：{msg}", "en": "Cannot start there: {msg}"},
    "why_finished": {"zh": "{stage}已经练完。", "en": "{stage} is finished."},
    "why_needs_pretrain": {"zh": "要先练完内力（预训练）。", "en": "Pretraining must finish first."},
    "why_needs_sft": {"zh": "要先学完招式（监督微调）。", "en": "Fine-tuning (the moves) must finish first."},
    "why_needs_reward": {"zh": "要先练完评审（奖励模型）。", "en": "The judges (reward model) must finish first."},
    "why_needs_judges": {
        "zh": "评审还什么都没学会：先让评审练到第一次检查点，他才有标准可学。",
        "en": "The judges have learnt nothing yet: step them to their first checkpoint so he has something "
        "to learn from.",
    },
    # -- the timeline -------------------------------------------------------------------------------
    "tl_intro": {
        "zh": "每到一个检查点，都让他回答同样几道题。拖动滑块：乱码变成语言，语言变成回答，回答再变成奉承。",
        "en": "At every checkpoint he answers the same few questions. Drag the slider: noise becomes "
        "language, language becomes answers, and answers become flattery.",
    },
    "tl_slider": {"zh": "拖动，看他一路的变化", "en": "Drag through his growth"},
    "tl_frame": {"zh": "{stage} · 第 {step} 步", "en": "{stage} · step {step}"},
    "tl_source": {"zh": "看哪一次训练", "en": "Which run"},
    "tl_source_run": {"zh": "这组设置练好的那次", "en": "the trained run of these settings"},
    "tl_source_hands": {"zh": "你在“亲手练”页面练的这次", "en": "your hands-on run"},
    "tl_not_recorded": {
        "zh": "这一刻的回答没有记录（这次训练在时间线功能出现之前就已缓存）。",
        "en": "Not recorded for this run (it was cached before the timeline existed).",
    },
    "tl_none": {
        "zh": "还没有可看的检查点：先训练这组设置，或到“亲手练”页面现场练。",
        "en": "No checkpoints to show yet: train these settings, or train live on the hands-on page.",
    },
    "tl_answer": {"zh": "他的回答", "en": "His answer"},
    # -- the room as annotators ---------------------------------------------------------------------
    "rm_title": {"zh": "你来当评审：两个回答，哪个更好？", "en": "You are the judges: which answer is better?"},
    "rm_intro": {
        "zh": "下面是他对同一道题写的两个回答。选更好的那个，或“说不清”。全场的排序汇到一处，评审模型可以"
        "只用它们重练（或和模拟评审团的排序合在一起），再用它来做 PPO。",
        "en": "Below are two answers he wrote to the same question. Pick the better one, or “Can't tell”. "
        "Everyone's rankings pool in one place; the judging model can retrain on them (alone, or joined "
        "with the simulated panel's), and PPO then trains against it.",
    },
    "rm_join": {"zh": "我来当评审", "en": "Let me judge"},
    "rm_a": {"zh": "回答 A", "en": "Answer A"},
    "rm_b": {"zh": "回答 B", "en": "Answer B"},
    "rm_pick_a": {"zh": "A 更好", "en": "A is better"},
    "rm_pick_b": {"zh": "B 更好", "en": "B is better"},
    "rm_tie": {"zh": "说不清", "en": "Can't tell"},
    "rm_pool": {
        "zh": "全场已有 {n} 条排序，来自 {people} 位参与者（你的 {mine} 条，“说不清” {ties} 条）。",
        "en": "The room has {n} rankings from {people} participant(s) ({mine} of them yours, {ties} "
        "“can't tell”).",
    },
    "rm_gold": {
        "zh": "分出了高下的排序里，{agree:.0%} 与真正的好坏（gold 偏好）一致。",
        "en": "Of the rankings that pick a side, {agree:.0%} agree with the true quality (the gold preference).",
    },
    "rm_gold_none": {"zh": "还没有能和真正好坏比较的排序。", "en": "No ranking can be compared with the true quality "
                     "yet."},
    "rm_take_back": {"zh": "收回我的排序", "en": "Take my rankings back"},
    "rm_taken": {"zh": "已收回你的 {n} 条排序。", "en": "Took back your {n} ranking(s)."},
    "rm_replace": {
        "zh": "只用现场的排序（不要模拟评审团）",
        "en": "Use only the room's rankings (drop the simulated panel)",
    },
    "rm_retrain": {"zh": "用全场的排序重练评审，再做 PPO", "en": "Retrain the judges on the room's rankings, then "
                   "run PPO"},
    "rm_need": {"zh": "至少要有一条分出高下的排序，才能重练。", "en": "Retraining needs at least one ranking that "
                "picks a side."},
    "rm_not_trained": {
        "zh": "先把上面这组设置练完，才能给他的回答排序。",
        "en": "Train the settings above first; then you can rank his answers.",
    },
    "rm_running": {"zh": "正在用全场的排序重练（已用 {sec:.0f} 秒）", "en": "Retraining on the room's rankings "
                   "({sec:.0f} s so far)"},
    "rm_failed": {"zh": "重练出错：{msg}", "en": "Retraining failed: {msg}"},
    "rm_used": {
        "zh": "这次重练用了 {n} 条现场排序（{k} 位参与者），{mode}。",
        "en": "This retraining used {n} of the room's rankings ({k} participant(s)), {mode}.",
    },
    "rm_mode_join": {"zh": "每批一半来自现场、一半来自模拟评审团", "en": "each batch half the room's, half the "
                     "panel's"},
    "rm_mode_replace": {"zh": "完全取代了模拟评审团", "en": "replacing the simulated panel"},
    "rm_effect": {
        "zh": "评审偏爱奉承：模拟评审团 {p0:.0%} → 现场评审 {p1:.0%}。对着现场评审做 PPO 后：拍马屁的回答 "
        "{f0:.0%} → {f1:.0%}，本领 {c0:.0%} → {c1:.0%}。",
        "en": "Judges' liking for flattery: simulated panel {p0:.0%} → the room {p1:.0%}. After PPO against "
        "the room's judge: answers with flattery {f0:.0%} → {f1:.0%}, skill {c0:.0%} → {c1:.0%}.",
    },
}

PANELS = {
    "ptx": {
        "wuxia": (
            "下山学处世的日子里，张无忌每天清晨仍旧盘膝运转九阳真气（温习分量 {ptx_coef:g}）。根基在，招式"
            "就不容易被讨好人的本事挤走：本领 {cap0:.0%} → {cap1:.0%}。",
            "While he learns the ways of the world, Zhang Wuji still sits each dawn and circulates his Nine "
            "Yang energy (practice weight {ptx_coef:g}). With the root kept, the art of pleasing has a harder "
            "time pushing out his moves: skill {cap0:.0%} → {cap1:.0%}.",
        ),
        "work": (
            "新人一边摸索团队的喜好，一边每周留出时间重温专业基础（比重 {ptx_coef:g}），不让“讨人喜欢”占掉"
            "全部精力：本领 {cap0:.0%} → {cap1:.0%}。",
            "The new hire learns what the team likes, yet keeps a few hours a week for the fundamentals of "
            "the trade (weight {ptx_coef:g}), so pleasing people never takes all of his time: skill "
            "{cap0:.0%} → {cap1:.0%}.",
        ),
        "tech": (
            "PPO-ptx（InstructGPT，Ouyang 等 2022）：每次 PPO 更新的损失再加上 {ptx_coef:g} × 预训练语料上"
            "下一个字的交叉熵；系数 0 就是普通 PPO。任务准确率 {cap0:.0%} → {cap1:.0%}。",
            "PPO-ptx (InstructGPT, Ouyang et al. 2022): every PPO update adds {ptx_coef:g} × the next-"
            "character cross-entropy on the pretraining corpus to its loss; a coefficient of 0 is plain PPO. "
            "Task accuracy {cap0:.0%} → {cap1:.0%}.",
        ),
    },
}
