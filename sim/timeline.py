"""The sample timeline: the model's answers to a few fixed prompts at every evaluation of every stage
that writes (pretraining, SFT, PPO), so a slider can scrub from noise to language, from language to
answers, and from answers to flattery. (TRL's completion tables keep only the latest step.)

The answers are sampled with the same dice at every evaluation, so a frame changes only when the model
does; they ride in the stage's metrics history under ``KEY`` and are cached with it. Entries cached
before the timeline existed lack them: ``frames`` then marks those frames ``None`` ("not recorded for
this run") instead of failing; no cache version moves.

Torch-free: a page reads frames without loading torch. The answers are sampled by
``sim.evaluate.timeline_answers`` and added to each stage's events by ``sim.stages.record``.
"""

from __future__ import annotations

from sim.world import World

KEY = "timeline"
CORRECT = "timeline_correct"  # beside KEY: whether each answer is right (the world's true answer)
KINDS = ("add", "copy", "sect", "master")  # one fixed held-out prompt of each
WRITING = ("pretrain", "sft", "rlhf")  # the stages whose model writes; the reward model only scores


def items(world: World) -> list:
    """The fixed prompts: the first held-out item of each of ``KINDS`` (the same for a seed and language)."""
    return world.eval_items(1, kinds=KINDS)


def prompts(world: World) -> list[str]:
    return [world.prompt(it) for it in items(world)]


def judged(world: World, answers: list[str]) -> list[bool]:
    """Whether each answer to the fixed prompts is right, read as the judges read it (``World.traits``: the
    content before the end mark is the true answer; an answer cut at the budget has none)."""
    return [world.traits(it, a, True).correct for it, a in zip(items(world), answers, strict=True)]


def frames(histories: dict[str, list[dict]]) -> list[dict]:
    """One frame per evaluation, in stage order: {"stage", "step", "answers", "correct"} (answers None when
    the run was cached before the timeline was recorded, correct None when cached before it was judged).
    ``histories`` maps a stage to its metrics history."""
    out = []
    for stage in WRITING:
        for row in histories.get(stage) or []:
            out.append({"stage": stage, "step": row.get("step", 0), "answers": row.get(KEY),
                        "correct": row.get(CORRECT)})
    return out


def doc_frames(doc: dict | None) -> list[dict]:
    """The frames of a result document (``sim.pipeline`` or a live partial one)."""
    return frames({s: (doc or {}).get(s, {}).get("history", []) for s in WRITING})


def recorded(fr: list[dict]) -> bool:
    return any(f["answers"] is not None for f in fr)
