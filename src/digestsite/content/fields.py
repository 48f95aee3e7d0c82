"""Labelled metadata lines: `**作者：** …`, `- **原文链接**: url`, `<font>摘要：</font>`, `Authors: …`.

A label is known by its words, whatever dresses it (bold, inline HTML, a list marker, a blockquote,
full-width or ASCII colon, or lenticular brackets without one: `【论文链接】https://…`); unknown labels
(`**核心创新**: …`) are ordinary summary text. Several fields may share a line (`**Date**: … | **arXiv**: […](…)`).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

_PREFIX = re.compile(r"[ \t]*(?:>[ \t]?)*[ \t]*(?:[-*+][ \t]+|\d{1,3}[.)][ \t]+)?")
_LEAD_EMOJI = "\u2600-\u27bf\U0001f000-\U0001faff\ufe0f\u200d"  # `📌 **核心摘要**`: a badge before the label
LABEL = re.compile(
    rf"(?:\*\*|__|<[^<>\n]{{0,80}}>|[ \t{_LEAD_EMOJI}])*"
    r"(?P<name>[^:：*<>\n\[\]()`|]{1,30}?)"
    r"(?:\*\*|__|</?[^<>\n]{0,40}>|[ \t])*[:：](?![/\\])(?:\*\*|__|</[^<>\n]{0,40}>|[ \t])*"
)
_BARE_LABEL = re.compile(
    rf"(?:\*\*|__|</?[^<>\n]{{0,80}}>|[ \t#{_LEAD_EMOJI}])*"
    r"(?P<name>[^:：*<>\n\[\]()`|]{1,30}?)[:：]?"
    r"(?:\*\*|__|</?[^<>\n]{0,40}>|[ \t])*"
)
_SEGMENTS = re.compile(r"[ \t]+[|｜·•][ \t]+|[ \t]*[|｜][ \t]*")
_NAME_NOISE = re.compile(r"[\s\u2600-\u27bf\U0001f000-\U0001faff\ufe0f\u200d]+")

_KINDS = {
    "paper": "论文链接 论文地址 论文 原文链接 原文地址 原文 链接 地址 网址 url link links paper paperlink paperurl "
    "arxiv arxiv链接 arxiv地址 arxivid arxiv编号 arxivurl arxivlink 论文id id 编号 abs 原始论文 论文原文 hf "
    "huggingface hfpaper hf链接 huggingface链接 论文主页 paperpage 論文連結 論文鏈接 原文連結 連結 論文地址 "
    "论文链接/doi/arxivid 文章链接 阅读原文 arxiv原文 arxiv页面 论文页面 原始论文页面 原始链接 原始论文链接 "
    "原始来源 论文来源 原文来源",
    "pdf": "pdf pdf链接 pdf地址 原文pdf链接 pdflink pdf下载 全文pdf pdf連結 文件名 pdf文件 pdf文件名 filename",
    "code": "代码 代码链接 代码地址 code codelink github github链接 开源代码 开源地址 项目代码 repo repository 仓库 "
    "源码 代码仓库 程式碼 代碼 代码/项目 github仓库 github地址 github主页 官方代码 开源仓库 代码仓库地址",
    "project": "项目主页 项目地址 项目 project projectpage homepage 主页 demo 演示 数据集 dataset 项目/代码/数据 "
    "项目/代码/数据链接(如可得) 数据 website 网站 官网 项目网站 项目页",
    "title_en": "原文标题 英文标题 英文名 英文题目 原标题 全称 英文全称 论文全称 englishtitle original title 原文標題 "
    "英文標題 english 英文",
    "title": "论文标题 论文题目 题目 标题 title papertitle 论文名称 论文名 論文標題 標題",
    "title_zh": "中文标题 中文题目 中文名 中文名称 译名 標題翻譯 标题翻译 翻译标题 中文译名 titlezh 中文標題 "
    "中文翻译 中文",
    "en": "en",
    "cn": "cn zh",
    "summary": "摘要 中文摘要 内容摘要 论文摘要 摘要翻译 翻译摘要 简介 概要 一句话总结 一句话摘要 tl;dr tldr summary "
    "中文总结 摘要(中文) 內容摘要 中文摘要翻译 簡介 总结摘要 ai摘要 ai总结 核心摘要 导读摘要 导读 简报 论文简报 "
    "一句话要点 一句话概括 摘要速览 一句话结论 太长不看 简要介绍 论文介绍 内容简介 简述 一两句话看懂 一句话看懂",
    "recap": "总结 總結 论文总结 gpt总结",
    "abstract": "abstract 英文摘要 原文摘要 摘要原文 原始摘要 完整摘要 originalabstract englishabstract 英文原文 "
    "摘要(英文) 英文摘要原文 原文摘要(英文) 論文摘要原文",
    "authors": "作者 作者们 authors author 作者/机构 研究机构/作者 作者/單位 第一作者 著者 作者列表 作者/機構",
    "published": "发布 发布日期 发布时间 发表日期 发表时间 日期 date published 提交日期 提交时间 首次公开日期 "
    "submitted "
    "publishdate 出版日期 首次提交 發布日期 發表日期 publisheddate 发布日期/版本 发布日期或版本日期 提交 年份 year",
    "categories": "maincategory "
    "分类 类别 领域 categories category arxiv所属领域 所属领域 cs子类 subjects subject 学科 arxiv分类 "
    "arxiv类别 类目 分類 類別 主分类 primarycategory 研究领域",
    "keywords": "方向 研究方向 "
    "关键词 关键字 keywords keyword tags tag 标签 关联关键词 主题标签 核心关键词 關鍵詞 關鍵字 分类标签 标签分类",
    "votes": "票数 votes upvotes 点赞 点赞数 赞 热度 likes 投票 票數 讚",
    "meta": "机构 单位 研究机构 作者单位 工作单位 会议 期刊 会议/期刊 发表 出处 venue doi 版本 版本日期 总结时间 "
    "总结类型 详细分析 相关性评分 归属领域 相关领域 comment comments 首次公告 更新时间 状态 论文数 简称 入库日期 "
    "收录 机构/作者 機構 單位 类型 type 首次公开 版本号 来源 引用数 引用 citations 笔记 已有笔记 基本信息 "
    "论文信息 元信息 机构信息 作者信息 metadata sources 数据源 备注 remarks score 评分 得分 分数 rating 属性 项目 "
    "核心信息 基础信息 收录情况 收录于 录用情况 发表情况 发表于",
    "comment": "点评 毒舌点评 锐评 短评 编辑点评 个人点评 小编点评 评价 社区评价 对你的启发 对我的启发 启发 "
    "我的看法 个人看法 读后感 个人思考 吐槽",
}
KIND_OF: dict[str, str] = {name: kind for kind, names in _KINDS.items() for name in names.split()}


@dataclass(frozen=True, slots=True)
class Field:
    """A labelled value: `kind` is one of the keys above, `value` the markdown after the label."""

    kind: str
    label: str
    value: str


# Traditional characters of the labels above, read as their Simplified forms (`來源` is `来源`).
_SIMPLIFIED = str.maketrans(
    "來標題鏈連結論譯錄關鍵詞簡發佈時間類別機構單資訊態數據證與聯內碼專項網頁備註讀覽總獻碼係統評級節點質",
    "来标题链连结论译录关键词简发布时间类别机构单资讯态数据证与联内码专项网页备注读览总献码系统评级节点质",
)


# `方法概要`, `实验简介`: what one part of the paper does, a line of the summary rather than its label.
_PART_WORDS = ("方法", "实验", "技术", "模型", "数据", "背景", "动机", "问题", "架构", "算法")
_LONGER_SUMMARY_LABEL = re.compile(r"(?:摘要|简介)[\u4e00-\u9fff]{2,10}|[\u4e00-\u9fff]{1,6}(?:摘要|简介|概要)")


@functools.lru_cache(maxsize=4096)
def label_kind(name: str) -> str | None:
    """The kind of a label as written (`**论文链接：**` → paper), or None for an unknown label."""
    key = (
        _NAME_NOISE.sub("", name).lower().strip(".:：-–—").translate(_SIMPLIFIED).replace("（", "(").replace("）", ")")
    )
    if key in KIND_OF:
        return KIND_OF[key]
    if key.endswith(")") and "(" in key:  # `中文摘要（中文）`: the label and a note on it
        key = key[: key.index("(")]
        if key in KIND_OF:
            return KIND_OF[key]
    if "arxiv" in key and len(key) <= 16 and not key.startswith("arxiv分类"):  # `DOI/arXiv 号`
        return "paper"
    if _LONGER_SUMMARY_LABEL.fullmatch(key) and not key.startswith(_PART_WORDS):
        return "summary"  # `摘要證據與研究關聯`, `结论摘要`, `论文简介`: the summary, not `方法概要` (one part of it)
    if "作者" in key and len(key) <= 8:
        return "authors"
    if key.endswith(("标题", "题目", "名称")) and len(key) <= 7:  # `英文原标题`, `中文论文题目`
        if "英文" in key or "原" in key:
            return "title_en"
        if "中文" in key or "译" in key:
            return "title_zh"
    if key.endswith(("关键词", "关键字")) and len(key) <= 7:  # `英文关键词`
        return "keywords"
    if key.endswith(("日期", "时间", "备注", "评分")) and len(key) <= 6:  # `阅读日期`, `收录时间`: when, not what
        return "meta"
    if key.endswith(("点评", "锐评", "短评", "评价")) and len(key) <= 6:  # `编者点评`: the digest's own view
        return "comment"
    if key.endswith(("链接", "连结", "地址")) and ("论文" in key or "arxiv" in key or "原文" in key):
        return "paper"
    return None


def labelled(line: str) -> tuple[str, str] | None:
    """(label, plain value) of a line that opens with a short label (`- **推荐指数**: ⭐⭐⭐`), else None."""
    rest = strip_prefix(line)[1]
    match = LABEL.match(rest)
    if match is None or len(name := _NAME_NOISE.sub("", match.group("name"))) > 12 or not name:
        return None
    value = rest[match.end() :].strip()
    return name, value.replace("**", "").strip()


def strip_prefix(line: str) -> tuple[str, str]:
    """(quote/list prefix, rest of the line)."""
    match = _PREFIX.match(line)
    end = match.end() if match else 0
    return line[:end], line[end:]


_BRACKET_LABEL = re.compile(r"【([^】\n]{1,30})】[ \t]*[:：]?")


def parse_fields(line: str) -> list[Field] | None:
    """The fields of a metadata line, or None when the line is not one (prose, unknown labels)."""
    if "【" in line:
        line = _BRACKET_LABEL.sub(r"\1：", line)
    if "：" not in line and ":" not in line:
        return None
    _, rest = strip_prefix(line)
    segments = _SEGMENTS.split(rest) if ("|" in rest or "·" in rest or "｜" in rest or "•" in rest) else [rest]
    first = _field(segments[0])
    if first is None:
        return None
    if len(segments) == 1:
        return [first]
    fields = [first]
    for segment in segments[1:]:
        field = _field(segment)
        if field is None:  # a `|` inside the value, not between fields
            return [Field(first.kind, first.label, _value_of(rest))]
        fields.append(field)
    return fields


def _value_of(rest: str) -> str:
    match = LABEL.match(rest)
    return rest[match.end() :].strip() if match else rest.strip()


def _field(segment: str) -> Field | None:
    match = LABEL.match(segment)
    if match is None:
        return None
    name = match.group("name").strip()
    kind = label_kind(name)
    if kind is None:
        return None
    value = segment[match.end() :].strip()
    if value.endswith(("**", "__")) and value.count(value[-2:]) % 2:  # `**论文简介：value**`: the line's bold
        value = value[:-2].rstrip()
    return Field(kind, name, value)


def bare_label(line: str) -> str | None:
    """The kind of a line that is only a label (`**摘要：**`, `**Abstract**`, `<summary>完整摘要</summary>`)."""
    _, rest = strip_prefix(line)
    rest = rest.strip()
    if not rest or len(rest) > 80:
        return None
    match = _BARE_LABEL.fullmatch(rest)
    if match is None:
        return None
    return label_kind(match.group("name"))
