"""A small store written for the corpus-analysis tests: two sources over 2019-2024, with an
invented coinage (晴岚互联) that appears only from 2023 on and a steady background."""

from __future__ import annotations

from pathlib import Path

from pipeline.store import Store
from pipeline.textview import count_han, to_simplified

BACKGROUND = [
    "双方就经贸合作交换了意见。",
    "会议讨论了产业发展和市场开放。",
    "有关部门将继续推进贸易便利化。",
    "我们欢迎各国企业来华投资兴业。",
]
COINED = ["各方提出晴岚互联倡议。", "晴岚互联得到响应。", "推进晴岚互联建设。", "关于晴岚互联的讨论。",
          "他们谈到晴岚互联与合作。", "晴岚互联"]
DECOUPLING = "美方推动对华脱钩，限制芯片出口。"


def build_analysis_store(path: Path | str) -> Path:
    docs, sentences, stance = [], [], []
    n = 0
    for year in range(2019, 2025):
        for source in ("alpha", "beta"):
            for k in range(3):
                doc_id = f"an{n:04d}"
                texts = list(BACKGROUND)
                if year >= 2023:
                    texts += COINED[: 2 + (year - 2023) * 2]
                if source == "beta":
                    texts.append(DECOUPLING)
                docs.append({"doc_id": doc_id, "doc": f"{source}_{year}_{k}.txt", "path": f"/an/{source}_{year}_{k}.txt",
                             "title": f"{source} {year} 第{k}篇", "year": year, "published": f"{year}-0{k + 1}-15",
                             "date_source": "record", "source": source, "venue": None,
                             "n_han": sum(count_han(t) for t in texts), "n_sentences": len(texts), "raw_text": "\n".join(texts)})
                pos = 0
                for i, text in enumerate(texts):
                    sentences.append({"doc_id": doc_id, "idx": i, "section": "body", "paragraph": i, "page": None,
                                      "start": pos, "end": pos + len(text), "text": text,
                                      "simplified": to_simplified(text), "n_han": count_han(text)})
                    if text == DECOUPLING:
                        stance.append({"doc_id": doc_id, "sentence": i, "label": "DECOUPLING", "source": "rules",
                                       "evidence": '[{"start": 4, "end": 6}]', "score": None})
                    pos += len(text) + 1
                n += 1
    with Store.open(path) as store:
        store.append("documents", docs)
        store.append("sentences", sentences)
        store.append("stance", stance)
    return Path(path)
