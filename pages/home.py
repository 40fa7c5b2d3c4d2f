"""Home page: what Wuji is, in one sentence a language."""

import streamlit as st

st.title("Wuji · 无忌 — RLHF playground")
st.markdown("看一个小小的语言模型当场长大：先练内力（预训练），再学招式（监督微调），最后学处世（RLHF）。")
st.markdown("Watch a tiny language model grow up live: inner strength first (pretraining), then moves "
            "(supervised fine-tuning), and finally manners (RLHF).")
