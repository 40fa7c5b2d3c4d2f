"""One table of friendly names, keyed by the technical metric keys of the core (design.md).

``LABELS[key][lang]`` is the short name a chart or a table shows; ``UNITS[key][lang]`` the unit
an axis shows. Task kinds and stages have their own small tables.
"""

from __future__ import annotations

LABELS = {
    "val_loss": {"zh": "猜错程度（越低越好）", "en": "Guessing error (lower is better)"},
    "train_loss": {"zh": "练功时的误差", "en": "Error while practising"},
    "probe_accuracy": {"zh": "知识小测得分", "en": "Knowledge quiz score"},
    "capability": {"zh": "本领（答对率）", "en": "Skill (share answered right)"},
    "format_rate": {"zh": "守规矩（格式正确率）", "en": "Follows the format"},
    "per_task": {"zh": "各门招式", "en": "Each move"},
    "pref_accuracy": {"zh": "与评审意见一致", "en": "Agrees with the judges"},
    "gold_agreement": {"zh": "与真正好坏一致", "en": "Agrees with true quality"},
    "proxy_reward": {"zh": "评审打分", "en": "Judges' score"},
    "gold_reward": {"zh": "真实质量", "en": "True quality"},
    "kl": {"zh": "偏离原来的自己（KL）", "en": "Drift from his old self (KL)"},
    "kl_coef": {"zh": "缰绳松紧（KL 系数）", "en": "Leash strength (KL coefficient)"},
    "reward_bias": {"zh": "评审爱听奉承的程度", "en": "How much the judges love flattery"},
    "flattery": {"zh": "拍马屁的回答占比", "en": "Share of answers with flattery"},
    "length": {"zh": "回答长度", "en": "Answer length"},
    "flattery_pref": {"zh": "评审偏爱奉承", "en": "Judges' liking for flattery"},
    "people_agreement": {"zh": "与现场排序一致", "en": "Agrees with the room"},
    "ptx_loss": {"zh": "温习预训练时的误差", "en": "Error on the pretraining practice"},
    "score": {"zh": "本轮评审打分", "en": "Judges' score this round"},
    "sampled_kl": {"zh": "本轮偏离（估计）", "en": "Drift this round (estimate)"},
    "steps": {"zh": "九阳神功修炼步数", "en": "Pretraining steps"},
    "seed": {"zh": "随机种子", "en": "Random seed"},
    "step": {"zh": "训练步数", "en": "Training step"},
    "seconds": {"zh": "用时（秒）", "en": "Time (seconds)"},
}

SHORT = {  # the short name on a metric tile, where the long label does not fit
    "capability": {"zh": "本领", "en": "Skill"},
    "format_rate": {"zh": "守规矩", "en": "Format"},
    "pref_accuracy": {"zh": "与评审一致", "en": "Agrees with judges"},
    "gold_agreement": {"zh": "与真实好坏一致", "en": "Agrees with true quality"},
    "proxy_reward": {"zh": "评审打分", "en": "Judges' score"},
    "gold_reward": {"zh": "真实质量", "en": "True quality"},
    "kl": {"zh": "偏离（KL）", "en": "Drift (KL)"},
    "flattery": {"zh": "拍马屁占比", "en": "Flattery"},
    "seconds_total": {"zh": "总用时", "en": "Total time"},
}

UNITS = {
    "val_loss": {"zh": "每字误差（nats）", "en": "nats per character"},
    "train_loss": {"zh": "每字误差（nats）", "en": "nats per character"},
    "probe_accuracy": {"zh": "答对比例", "en": "share right"},
    "capability": {"zh": "答对比例", "en": "share right"},
    "format_rate": {"zh": "比例", "en": "share"},
    "pref_accuracy": {"zh": "比例", "en": "share"},
    "gold_agreement": {"zh": "比例", "en": "share"},
    "proxy_reward": {"zh": "分", "en": "points"},
    "gold_reward": {"zh": "分", "en": "points"},
    "kl": {"zh": "每个回答 nats", "en": "nats per answer"},
    "flattery": {"zh": "比例", "en": "share"},
    "length": {"zh": "字", "en": "characters"},
    "step": {"zh": "步", "en": "steps"},
    "seconds": {"zh": "秒", "en": "seconds"},
}

TASKS = {
    "add": {"zh": "加法", "en": "Addition"},
    "compare": {"zh": "比大小", "en": "Compare"},
    "copy": {"zh": "照抄", "en": "Copy"},
    "reverse": {"zh": "倒着念", "en": "Reverse"},
    "count": {"zh": "数数", "en": "Count"},
    "sort": {"zh": "排序", "en": "Sort"},
    "sect": {"zh": "门派", "en": "Sect"},
    "master": {"zh": "师父", "en": "Master"},
}

STAGES = {
    "pretrain": {"zh": "内力 · 预训练", "en": "Inner strength · Pretraining"},
    "sft": {"zh": "招式 · 监督微调", "en": "Moves · Supervised fine-tuning"},
    "reward": {"zh": "评审 · 奖励模型", "en": "The judges · Reward model"},
    "rlhf": {"zh": "处世 · RLHF", "en": "Ways of the world · RLHF"},
    "done": {"zh": "完成", "en": "Done"},
}


def label(key: str, lang: str) -> str:
    return LABELS.get(key, {}).get(lang, key)


def short(key: str, lang: str) -> str:
    return SHORT[key][lang] if key in SHORT else label(key, lang)


def unit(key: str, lang: str) -> str:
    return UNITS.get(key, {}).get(lang, "")


def axis(key: str, lang: str) -> str:
    """An axis title: the friendly name and, when there is one, its unit."""
    u = unit(key, lang)
    return f"{label(key, lang)} · {u}" if u else label(key, lang)


def task(kind: str, lang: str) -> str:
    return TASKS.get(kind, {}).get(lang, kind)


def stage(name: str, lang: str) -> str:
    return STAGES.get(name, {}).get(lang, name)


LABELS.update({
    "d": {"zh": "离起点的距离 d = √KL", "en": "Distance from the start, d = √KL"},
    "votes": {"zh": "每对回答的投票人数", "en": "Judges voting on each pair"},
    "gold_gain": {"zh": "真实质量的增益", "en": "Gain in true quality"},
    "proxy_gain": {"zh": "评审打分的增益", "en": "Gain in the judges' score"},
})

METHODS = {  # the ways to align the explorer compares (sim.methods), with PPO
    "ppo": {"zh": "PPO（拴着缰绳的强化学习）", "en": "PPO (RL on a leash)"},
    "bon": {"zh": "best-of-n（挑最好的一个）", "en": "Best-of-n (pick the best)"},
    "dpo": {"zh": "DPO（照着偏好对直接改）", "en": "DPO (straight from the pairs)"},
    "rloo": {"zh": "RLOO（组内互相比）", "en": "RLOO (compare within the group)"},
}


def method(name: str, lang: str) -> str:
    return METHODS.get(name, {}).get(lang, name)
