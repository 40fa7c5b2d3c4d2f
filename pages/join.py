"""加入 · Join: a participant's phone page (issue 15). No sidebar, no menu: the presenter's current question with
the room's tally once answered, and "Let me judge". It follows the presenter's tour step (ui/join.py)."""

from ui import join
from ui import widgets as w

v, lang, lens = w.header("page_join")
join.follow(lang)
join.judge(lang)
