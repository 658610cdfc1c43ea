"""English and Korean text for tables and charts, and the Hangul font.

Every word a chart shows comes from here: titles, axis labels, legend
entries, series names and units, lever names; scenario titles come from the
scenario files (:func:`scenario_name`).
:func:`text` looks a key up in the chosen language and falls back to English
(then to the key itself), so a scenario the tables do not know is shown by
its file name rather than dropped.

The Korean font is NanumGothic, shipped inside the ``koreanize-matplotlib``
wheel.  That package *imports* with side effects (it rewrites global
``rcParams`` and imports the removed ``distutils``), so it is never imported:
:func:`hangul_font_path` only locates its font file, which
:func:`font_context` registers with matplotlib and selects for the duration of
a ``with`` block.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

import matplotlib
from matplotlib import font_manager

from smesim.analysis.compare import TABLE_WORDS, add_tag
from smesim.errors import LanguageError
from smesim.inputs.scenario import LANGS, bundled_titles
from smesim.model.outputs import ASSUMED_TREND, TRENDS

HANGUL_FONT = "NanumGothic"
_FONT_PACKAGE = "koreanize_matplotlib"


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise LanguageError(f"--lang: expected one of {', '.join(LANGS)} (got {lang!r})")
    return lang


# ---- words -----------------------------------------------------------------------------
SERIES_NAMES: dict[str, dict[str, str]] = {
    "en": {
        "wage_ratio_all_firms": "All-firm wage ratio",
        "rd_per_researcher_sme": "SME R&D per researcher (million)",
        "wage_ratio_sme": "SME wage ratio",
        "wage_ratio_1_4": "Wage ratio, 1-4 persons",
        "wage_ratio_5_9": "Wage ratio, 5-9 persons",
        "wage_ratio_10_99": "Wage ratio, 10-99 persons",
        "wage_ratio_100_499": "Wage ratio, 100-499 persons",
        "productivity_ratio_sme": "SME productivity ratio",
        "rd_share_sme": "SME share of business R&D",
        "rd_per_researcher_ratio_sme": "SME R&D per researcher",
        "export_share_sme": "SME share of exports",
        "employment_share_sme": "SME share of employment",
        "employment_share_1_4": "Employment share, 1-4 persons",
        "employment_share_5_9": "Employment share, 5-9 persons",
        "employment_share_10_99": "Employment share, 10-99 persons",
        "employment_share_100_499": "Employment share, 100-499 persons",
        "employment_share_500_plus": "Employment share, 500+ persons",
        "capital_region_grp_share": "Capital-region share of GRP",
        "capital_region_population_share": "Capital-region share of population",
        "capital_region_startup_share": "Capital-region share of startups",
        "population_65plus_share": "Population aged 65+",
        "sme_skills_index": "SME skills index",
        "environmental_intensity": "Environmental intensity",
        "coexistence_economic": "Economic coexistence",
        "coexistence_regional": "Regional coexistence",
        "coexistence_human": "Human coexistence",
        "coexistence_natural": "Natural coexistence",
        "coexistence_overall": "Overall coexistence",
    },
    "ko": {
        "wage_ratio_all_firms": "전체 기업 임금 수준",
        "rd_per_researcher_sme": "중소기업 연구원 1인당 R&D (백만)",
        "wage_ratio_sme": "중소기업 임금 수준",
        "wage_ratio_1_4": "1-4인 기업 임금 수준",
        "wage_ratio_5_9": "5-9인 기업 임금 수준",
        "wage_ratio_10_99": "10-99인 기업 임금 수준",
        "wage_ratio_100_499": "100-499인 기업 임금 수준",
        "productivity_ratio_sme": "중소기업 노동생산성 수준",
        "rd_share_sme": "기업 R&D 중 중소기업 비중",
        "rd_per_researcher_ratio_sme": "중소기업 연구원 1인당 R&D",
        "export_share_sme": "수출 중 중소기업 비중",
        "employment_share_sme": "고용 중 중소기업 비중",
        "employment_share_1_4": "1-4인 기업 고용 비중",
        "employment_share_5_9": "5-9인 기업 고용 비중",
        "employment_share_10_99": "10-99인 기업 고용 비중",
        "employment_share_100_499": "100-499인 기업 고용 비중",
        "employment_share_500_plus": "500인 이상 기업 고용 비중",
        "capital_region_grp_share": "수도권 지역내총생산(GRDP) 비중",
        "capital_region_population_share": "수도권 인구 비중",
        "capital_region_startup_share": "수도권 창업 비중",
        "population_65plus_share": "65세 이상 인구 비중",
        "sme_skills_index": "중소기업 숙련 지수",
        "environmental_intensity": "환경 집약도",
        "coexistence_economic": "경제 상생 (공정경제)",
        "coexistence_regional": "지역 상생 (균형발전)",
        "coexistence_human": "인간 상생 (기회균등)",
        "coexistence_natural": "자연 상생 (지속가능성)",
        "coexistence_overall": "종합 상생 지수",
    },
}

#: Short names for tight places (dashboard columns).
SHORT_NAMES: dict[str, dict[str, str]] = {
    "en": {
        "coexistence_economic": "Economic",
        "coexistence_regional": "Regional",
        "coexistence_human": "Human",
        "coexistence_natural": "Natural",
        "coexistence_overall": "Overall",
    },
    "ko": {
        "coexistence_economic": "경제",
        "coexistence_regional": "지역",
        "coexistence_human": "인간",
        "coexistence_natural": "자연",
        "coexistence_overall": "종합",
    },
}

#: The label of a series whose trend rests on assumptions
#: (:attr:`smesim.model.outputs.Series.trend`), added to its name everywhere
#: (:func:`series_name`, :func:`short_name`).
#: (The words are those of the comparison tables, so a chart and a table say the same.)
TREND_TAGS: dict[str, dict[str, str]] = {}

_RATIO_EN = "% (large firms, 500+ = 100)"
_RATIO_KO = "% (대기업 500인 이상 = 100)"
UNITS: dict[str, dict[str, str]] = {
    "en": {
        "ratio": _RATIO_EN,
        "share": "% of total",
        "index": "index, 0-100",
        "lever_pct": "% of business R&D",
        "intensity": "intensity, 0-1",
    },
    "ko": {
        "ratio": _RATIO_KO,
        "share": "% (전체 대비)",
        "index": "지수 (0-100)",
        "lever_pct": "기업 R&D 대비 %",
        "intensity": "강도 (0-1)",
    },
}

LEVER_NAMES: dict[str, dict[str, str]] = {
    "en": {
        "rd_subsidy_rate": "R&D direct subsidy",
        "rd_tax_incentive_rate": "R&D tax incentives",
        "regional_dispersion": "Regional dispersion",
        "fair_trade_enforcement": "Fair-trade enforcement",
        "scale_up_support": "Scale-up support",
        "vocational_training": "Vocational training",
        "tech_diffusion": "Technology diffusion",
        "green_transition": "Green transition",
    },
    "ko": {
        "rd_subsidy_rate": "R&D 직접 보조금",
        "rd_tax_incentive_rate": "R&D 조세 지원",
        "regional_dispersion": "지역 분산",
        "fair_trade_enforcement": "공정거래 집행",
        "scale_up_support": "스케일업 지원",
        "vocational_training": "직업훈련",
        "tech_diffusion": "기술 확산",
        "green_transition": "녹색 전환",
    },
}

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "year": "Year",
        "baseline_short": "baseline",
        "arrow": "→",
        "model_baseline": "Model (baseline)",
        "data_fit": "Release data (fitted years)",
        "data_history": "Release data (history, before 2012)",
        "data_unfitted": "Release data (weight 0, not fitted)",
        "no_release_data": "no release data for this series",
        "history_title": "History and fit: baseline against the release data",
        "history_title_n": "History and fit ({i}/{n}): baseline against the release data",
        "headline_title": "Headline indicators: policy scenarios against the baseline",
        "coexistence_title": "Coexistence dashboard: index level (change vs {reference})",
        "coexistence_paths_title": "Coexistence indices over time",
        "coexistence_components_title": "Overall coexistence and components",
        "levers_title": "What each scenario changes: policy lever paths",
        "levers_unchanged": "Levers no scenario changes stay at the baseline: {levers}",
        "no_levers_changed": "No scenario changes any lever.",
        "uncertainty_title": "Uncertainty: 5-95 % and 25-75 % bands, median dotted",
        "uncertainty_missing": (
            "Uncertainty bands not included: add them with "
            "`smesim brief --runs N` or `--ensemble DIR`."
        ),
        "sensitivity_title": "What drives each outcome: global sensitivity ({index}, 95 % CI)",
        "loops_title": "What drives the divergence: dominant feedback loops (baseline)",
        "loops_scores": "Relative loop score (Loops That Matter)",
        "loops_ylabel": "share of all loops' scores (+ reinforcing, − balancing)",
        "loops_dominance": "Loop that dominates each headline output",
        "loops_other": "other loops",
        "loops_stocks": "{n} stocks",
        "loops_caption": (
            "A loop's score measures how much of the change it explains in a year; "
            "its relative score is its share of all loops' scores (+ reinforcing, "
            "− balancing). Right: the loop with the largest share among the loops through the "
            "stocks each output depends on. Details: smesim loops baseline."
        ),
        "sensitivity_ylabel_sobol": "total Sobol index ST",
        "sensitivity_ylabel_morris": "Morris mu*",
        "factor_lever": "lever",
        "factor_parameter": "parameter",
        "probability_title": "Probability of beating the baseline",
        "probability_label": "P(scenario > baseline)",
        "probability_note": "share of ensemble runs; = : no effect",
        "band_90": "5-95 % band",
        "band_50": "25-75 % band",
        "median": "median",
        "source": "Source",
        "data": "data",
        "parameters": "parameters",
        "uncalibrated": "uncalibrated registry estimates",
        "no_data_release": "none found",
        "scenario": "Scenario",
        "index": "Index",
        "cover_title": "SME policy scenarios: briefing pack",
        "cover_scenarios": "Scenarios compared",
        "cover_generated": "Generated by smesim {version} on {date}",
        "cover_assumed": (
            "Trends that rest on documented assumptions, not on the paper's figures: "
            "{series}. The 0-1 lever intensities are documented assumptions too."
        ),
        "difference": "change vs baseline",
        "cover_reference": "the reference: every lever at its current (baseline) setting",
        "dashboard_colour": "change vs {reference} (index points)",
        "dashboard_level": "index level (0-100)",
        "policy_start": "policy start {year}",
        "same_as_baseline": "same as the baseline: {names}",
        "lever_moving": "lever changing (phase-in)",
        "lever_held": "held at the new value",
        "unc_band_50": "25-75 % band (in the panel's colour)",
        "unc_band_90": "5-95 % band (in the panel's colour)",
        "unc_reference_bands": "{reference}: 25-75 % and 5-95 % bands (grey)",
        "unc_reference_central": "{reference}: central run (dashed)",
        "unc_median": "median of the ensemble (dotted)",
        "unc_central": "central run, calibrated parameters (solid)",
        "unc_caption": (
            "Dotted: median of {runs} ensemble runs, the parameters drawn from their joint "
            "uncertainty. Solid: one run with the calibrated point estimates. The two differ "
            "because the model is non-linear: the median outcome is not the outcome of the "
            "median parameters."
        ),
        "history_bands": "baseline ensemble: 25-75 % and 5-95 % bands, median dotted",
        "sensitivity_chart_title": "What drives {output}: global sensitivity ({index}, {ci} % CI)",
        "sensitivity_clipped": (
            "ST above 1 is sampling error (up to {value:.2f} ± {conf:.2f}); shown at 1"
        ),
        "sensitivity_dropped": "not shown: {k} factors with an index below {min:g} in every year",
        "sensitivity_none": "no factor has an index above {min:g}",
        "sensitivity_source": "scenario: {scenario} · {method}, n = {n} ({runs} runs)",
        "findings_title": "Key findings",
        "findings_table": (
            "Headline indicators: level in the {reference}; for each scenario, the change "
            "from it (pp: percentage points, pts: index points)"
        ),
        "findings_coexistence": (
            "Coexistence indices: the overall index with its four components (same cells)"
        ),
        "findings_targets": "Year each target is first reached",
        "findings_changes": "What each scenario changes against the {reference}",
        "findings_line": "Moves {levers} (from {start}). By {year}: {effects}.",
        "findings_no_levers": "Moves no lever.",
        "findings_no_effect": "no change in the headline indicators",
        "findings_reference": "The reference: every lever at its current setting.",
        "unit_pp": "pp",
        "unit_pts": "pts",
        "with_unit": "{value} {unit}",
        "target": "Target",
        "output": "Output",
        "appendix_title": "Appendix: every output in {year}",
        "appendix_note": (
            "Cells: level (change from the {reference}, in points). With the change in % "
            "and at full precision: comparison{suffix}.md and comparison{suffix}.csv."
        ),
    },
    "ko": {
        "year": "연도",
        "baseline_short": "기준",
        # NanumGothic's own arrow is small and blurs at screen resolution; the long
        # arrow falls back to DejaVu Sans, which draws it clearly.
        "arrow": "⟶",
        "model_baseline": "모형 (기준 시나리오)",
        "data_fit": "공표 자료 (추정 기간)",
        "data_history": "공표 자료 (2012년 이전 이력)",
        "data_unfitted": "공표 자료 (가중치 0, 추정 제외)",
        "no_release_data": "이 지표의 공표 자료 없음",
        "history_title": "이력과 적합도: 기준 시나리오와 공표 자료",
        "history_title_n": "이력과 적합도 ({i}/{n}): 기준 시나리오와 공표 자료",
        "headline_title": "핵심 지표: 정책 시나리오와 기준 시나리오 비교",
        "coexistence_title": "상생 지수 대시보드: 지수 수준 ({reference} 대비 변화)",
        "coexistence_paths_title": "상생 지수의 추이",
        "coexistence_components_title": "종합 상생 지수와 구성 지수",
        "levers_title": "시나리오별 정책 수단 변화 경로",
        "levers_unchanged": "어떤 시나리오도 바꾸지 않은 정책 수단은 기준 값 유지: {levers}",
        "no_levers_changed": "정책 수단을 바꾸는 시나리오가 없습니다.",
        "uncertainty_title": "불확실성: 5-95 % 및 25-75 % 구간, 점선은 중앙값",
        "uncertainty_missing": (
            "불확실성 구간 미포함: `smesim brief --runs N` 또는 "
            "`--ensemble DIR`로 추가할 수 있습니다."
        ),
        "sensitivity_title": "성과를 좌우하는 요인: 전역 민감도({index}, 95 % 신뢰구간)",
        "loops_title": "격차를 만드는 요인: 지배적 피드백 루프(기준 시나리오)",
        "loops_scores": "상대 루프 점수(Loops That Matter)",
        "loops_ylabel": "전체 루프 점수 중 비중(+ 강화, − 균형)",
        "loops_dominance": "각 핵심 지표를 지배하는 루프",
        "loops_other": "기타 루프",
        "loops_stocks": "저량 {n}개",
        "loops_caption": (
            "루프 점수는 해당 연도의 변화 중 그 루프가 설명하는 정도이며, 상대 점수는 전체 루프 "
            "점수 중 비중입니다(+ 강화, − 균형). 오른쪽: 각 지표가 의존하는 저량을 지나는 루프 중 "
            "비중이 가장 큰 루프. 자세한 내용: smesim loops baseline."
        ),
        "sensitivity_ylabel_sobol": "총 소볼 지수 ST",
        "sensitivity_ylabel_morris": "모리스 mu*",
        "factor_lever": "정책 수단",
        "factor_parameter": "모수",
        "probability_title": "기준 시나리오보다 나을 확률",
        "probability_label": "P(시나리오 > 기준)",
        "probability_note": "앙상블 실행 중 비율; = : 효과 없음",
        "band_90": "5-95 % 구간",
        "band_50": "25-75 % 구간",
        "median": "중앙값",
        "source": "출처",
        "data": "자료",
        "parameters": "모수",
        "uncalibrated": "미보정 기본 추정치",
        "no_data_release": "없음",
        "scenario": "시나리오",
        "index": "지수",
        "cover_title": "중소기업 정책 시나리오: 브리핑 자료",
        "cover_scenarios": "비교한 시나리오",
        "cover_generated": "smesim {version}, {date} 작성",
        "cover_assumed": (
            "논문 수치가 아니라 문서화된 가정에 기초한 추세: {series}. "
            "0-1 강도 정책 수단도 문서화된 가정입니다."
        ),
        "difference": "기준 대비 변화",
        "cover_reference": "비교 기준: 모든 정책 수단을 현행(기준) 값으로 유지",
        "dashboard_colour": "{reference} 대비 변화 (지수 포인트)",
        "dashboard_level": "지수 수준 (0-100)",
        "policy_start": "정책 시행 {year}",
        "same_as_baseline": "기준과 같음: {names}",
        "lever_moving": "정책 수단 변화 구간 (단계적 도입)",
        "lever_held": "새 값으로 유지",
        "unc_band_50": "25-75 % 구간 (패널 색)",
        "unc_band_90": "5-95 % 구간 (패널 색)",
        "unc_reference_bands": "{reference}: 25-75 % 및 5-95 % 구간 (회색)",
        "unc_reference_central": "{reference}: 중심 실행 (파선)",
        "unc_median": "앙상블 중앙값 (점선)",
        "unc_central": "중심 실행, 보정된 모수 (실선)",
        "unc_caption": (
            "점선: 모수를 결합 불확실성에서 추출한 앙상블 {runs}회 실행의 중앙값. "
            "실선: 보정된 점추정치로 한 번 실행한 결과. 모형이 비선형이므로 "
            "결과의 중앙값은 모수의 중앙값으로 얻은 결과와 다릅니다."
        ),
        "history_bands": "기준 시나리오 앙상블: 25-75 % 및 5-95 % 구간, 점선은 중앙값",
        "sensitivity_chart_title": "{output}의 영향 요인: 전역 민감도({index}, {ci} % 신뢰구간)",
        "sensitivity_clipped": "1을 넘는 ST는 표본 오차 (최대 {value:.2f} ± {conf:.2f}); 1로 표시",
        "sensitivity_dropped": "생략: 모든 연도에서 지수가 {min:g} 미만인 요인 {k}개",
        "sensitivity_none": "지수가 {min:g}을 넘는 요인 없음",
        "sensitivity_source": "시나리오: {scenario} · {method}, n = {n} ({runs}회 실행)",
        "findings_title": "주요 결과",
        "findings_table": (
            "핵심 지표: {reference} 시나리오는 수준, 각 시나리오는 {reference} 대비 변화 "
            "(%p: 퍼센트포인트, pt: 지수 포인트)"
        ),
        "findings_coexistence": "상생 지수: 종합 지수와 네 구성 지수 (셀은 위 표와 같음)",
        "findings_targets": "목표별 최초 도달 연도",
        "findings_changes": "시나리오별 {reference} 대비 변화",
        "findings_line": "{levers} 변경 ({start}년부터). {year}년: {effects}.",
        "findings_no_levers": "정책 수단 변경 없음.",
        "findings_no_effect": "핵심 지표 변화 없음",
        "findings_reference": "비교 기준: 모든 정책 수단을 현행 값으로 유지.",
        "unit_pp": "%p",
        "unit_pts": "pt",
        "with_unit": "{value}{unit}",
        "target": "목표",
        "output": "지표",
        "appendix_title": "부록: {year}년 전체 지표",
        "appendix_note": (
            "셀: 수준 ({reference} 대비 차이, 포인트). % 변화와 전체 정밀도: "
            "comparison{suffix}.md, comparison{suffix}.csv."
        ),
    },
}


#: Korean words of the comparison tables (keys of
#: :data:`smesim.analysis.compare.TABLE_WORDS`; see :func:`smesim.report.brief.table_text`).
TABLE_WORDS_KO: dict[str, str] = {
    "col_unit": "단위",
    "col_year": "연도",
    "col_value": "값",
    "col_reference_value": "기준 값",
    "col_diff": "차이",
    "col_diff_pct": "차이(%)",
    "col_direction": "방향",
    "col_target": "목표 값",
    "col_p_beats_baseline": "기준보다 나을 확률",
    "col_trend": "추세 근거",
    "trend_assumed": "가정된 추세",
    "trend_partly assumed": "일부 가정된 추세",
    "md_trend_note": (
        "{groups}. 이 지표들의 경로는 논문 수치가 아니라 가정에 기초합니다. 종합 상생 "
        "지수는 네 구성 지수의 이동 기하평균으로 그 옆에 함께 표시하며, 어느 한 지수가 "
        "무너지면 0 쪽으로 떨어집니다."
    ),
    "label_scenario": "시나리오",
    "label_series": "지표",
    "label_index": "지수",
    "series": "지표",
    "target": "목표",
    "index_year": "지수, 연도",
    "year_first_reached": "목표 최초 도달 연도",
    "probability_heading": "기준 시나리오보다 나을 확률 (앙상블 실행 중 비율, %)",
    "md_title": "시나리오 비교 (비교 기준: {reference})",
    "md_probability": "기준 시나리오보다 나을 확률 (앙상블 실행 중 %)",
    "md_no_effect": "`=`: 시나리오가 해당 지수를 바꾸지 않음.",
    "md_targets": "목표별 최초 도달 연도",
    "md_target_note": (
        "`>=`: 값보다 낮았다가 처음으로 그 값 이상이 된 연도 (아래에서 도달); "
        "`<=`: 값보다 높았다가 처음으로 그 값 이하가 된 연도 (위에서 도달)."
    ),
    "legend": (
        "셀: 수준 ({reference} 대비 차이, 포인트; {reference} 대비 %).  "
        "모수: {parameters}; 프로필 {profile}; smesim {version}."
    ),
    "not_by": "{end}년까지 미도달",
    "met_throughout": "{year} (전 기간 충족)",
}
TREND_TAGS.update(
    {
        lang: {t: words[f"trend_{t}"] for t in TRENDS if t}
        for lang, words in (("en", TABLE_WORDS), ("ko", TABLE_WORDS_KO))
    }
)
#: Units of :mod:`smesim.model.outputs` in Korean.
UNIT_NAMES_KO = {"%": "%", "index 0-100": "지수 0-100"}


#: Korean names of the declared feedback loops (smesim.model.loops), by English name; a
#: loop missing here (e.g. renamed) shows its English name.
LOOP_NAMES_KO: dict[str, str] = {
    "Success to the successful (divergence engine)": "성공한 자에게 더 많은 성공(격차 엔진)",
    "Knowledge catch-up (diffusion grows with the gap)": "지식 따라잡기(격차가 클수록 확산 증가)",
    "Wages follow productivity, slowly": "임금은 생산성을 천천히 따라감",
    "Firm-size structure (aging chain)": "기업 규모 구조(성장 사슬)",
    "Policy support of SME R&D": "중소기업 R&D 정책 지원",
    "Exports": "수출",
    "Regional agglomeration": "수도권 집적",
    "Human and natural coexistence": "인간과 자연의 공존",
    "Absorptive capacity": "흡수 역량",
    "Firm size and knowledge per worker": "기업 규모와 1인당 지식",
    "Wages adjust toward their target (each class)": "임금의 목표 수렴(규모별)",
    "Productivity adjusts toward its target": "생산성의 목표 수렴",
}


def loop_name(name: str, lang: str = "en") -> str:
    """A declared feedback loop's name in ``lang`` (English when not translated)."""
    return LOOP_NAMES_KO.get(name, name) if lang == "ko" else name


def text(key: str, lang: str = "en", **fmt) -> str:
    """A phrase in ``lang`` (English if the Korean table lacks it), formatted with ``fmt``."""
    phrase = TEXT.get(lang, {}).get(key) or TEXT["en"].get(key) or key
    return phrase.format(**fmt) if fmt else phrase


def _lookup(table: dict[str, dict[str, str]], key: str, lang: str) -> str:
    return table.get(lang, {}).get(key) or table["en"].get(key) or key


def trend_tag(series_id: str, lang: str = "en") -> str:
    """``"assumed trend"`` / ``"partly assumed trend"`` (in ``lang``) for a series whose path
    rests on assumptions (:data:`smesim.model.outputs.ASSUMED_TREND`), else ``""``."""
    trend = ASSUMED_TREND.get(series_id, "")
    return _lookup(TREND_TAGS, trend, lang) if trend else ""


def tagged(name: str, series_id: str, lang: str = "en") -> str:
    """``name`` with the series' trend tag: ``"Natural coexistence (assumed trend)"``; a name
    that already ends in parentheses takes the tag inside them."""
    return add_tag(name, trend_tag(series_id, lang))


def base_name(series_id: str, lang: str = "en") -> str:
    """The series' display name without its trend tag (for tables that add it themselves)."""
    return _lookup(SERIES_NAMES, series_id, lang)


def base_short_name(series_id: str, lang: str = "en") -> str:
    """:func:`short_name` without the trend tag."""
    if series_id not in SHORT_NAMES["en"]:
        return base_name(series_id, lang)
    return _lookup(SHORT_NAMES, series_id, lang)


def series_name(series_id: str, lang: str = "en") -> str:
    """The series' display name, with its trend tag when its trend is assumed."""
    return tagged(base_name(series_id, lang), series_id, lang)


def short_name(series_id: str, lang: str = "en") -> str:
    """A short display name (dashboard columns), with its trend tag when assumed."""
    return tagged(base_short_name(series_id, lang), series_id, lang)


def series_unit(series_id: str, lang: str = "en") -> str:
    """The unit as a chart's axis label shows it."""
    if series_id.startswith("coexistence_"):
        kind = "index"
    elif "ratio" in series_id:
        kind = "ratio"
    elif series_id in ("sme_skills_index", "environmental_intensity"):
        return "index, start year = 100" if lang == "en" else "지수 (시작 연도 = 100)"
    else:
        kind = "share"
    return UNITS.get(lang, UNITS["en"])[kind]


#: Titles of the scenarios being shown (:func:`scenario_titles`): name -> language -> title.
_TITLES: ContextVar[dict[str, dict[str, str]] | None] = ContextVar("scenario_titles", default=None)


@contextmanager
def scenario_titles(scenarios: Iterable) -> Iterator[None]:
    """Within the block, :func:`scenario_name` shows these scenarios' own titles.

    ``scenarios``: objects with ``name`` and ``title`` (language -> text), e.g.
    :class:`smesim.inputs.scenario.Scenario`; one without a title shows its name.
    """
    token = _TITLES.set({**(_TITLES.get() or {}), **{sc.name: dict(sc.title) for sc in scenarios}})
    try:
        yield
    finally:
        _TITLES.reset(token)


def scenario_name(name: str, lang: str = "en") -> str:
    """A scenario's title in ``lang`` (else English, else its name): the title of a
    scenario given to :func:`scenario_titles`, else of the bundled scenario of that name."""
    titles = _TITLES.get() or {}
    title = titles[name] if name in titles else bundled_titles().get(name, {})
    return title.get(lang) or title.get("en") or name


def lever_name(lever_id: str, lang: str = "en") -> str:
    return _lookup(LEVER_NAMES, lever_id, lang)


def unit_name(unit: str, lang: str = "en") -> str:
    """A unit of :mod:`smesim.model.outputs` (``%``, ``index 0-100``) in ``lang``."""
    return UNIT_NAMES_KO.get(unit, unit) if lang == "ko" else unit


def lever_unit(lever_id: str, lang: str = "en") -> str:
    kind = "lever_pct" if lever_id in ("rd_subsidy_rate", "rd_tax_incentive_rate") else "intensity"
    return UNITS.get(lang, UNITS["en"])[kind]


# ---- the Hangul font ---------------------------------------------------------------------
@cache
def hangul_font_path() -> Path:
    """NanumGothic.ttf from the ``koreanize-matplotlib`` wheel, located without importing it."""
    spec = importlib.util.find_spec(_FONT_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise LanguageError(
            "--lang ko: the Korean font package is not installed "
            "(expected koreanize-matplotlib; got none; "
            "run: pip install koreanize-matplotlib)"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "fonts" / f"{HANGUL_FONT}.ttf"
    if not path.is_file():
        raise LanguageError(f"--lang ko: expected the font file {path} (got none)")
    return path


@cache
def _register_hangul_font() -> str:
    regular = hangul_font_path()
    for ttf in sorted(regular.parent.glob(f"{HANGUL_FONT}*.ttf")):
        font_manager.fontManager.addfont(str(ttf))
    return font_manager.FontProperties(fname=str(regular)).get_name()


def rc_params(lang: str = "en") -> dict:
    """matplotlib settings for ``lang``: slide-legible sizes and, for Korean, the Hangul font."""
    check_lang(lang)
    rc = {
        "font.size": 13,
        "axes.titlesize": 15,
        "axes.labelsize": 13,
        "xtick.labelsize": 12,
        "ytick.labelsize": 12,
        "legend.fontsize": 12,
        "figure.titlesize": 19,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "svg.fonttype": "path",
        "pdf.fonttype": 42,
    }
    if lang == "ko":
        family = _register_hangul_font()
        # DejaVu Sans second: matplotlib falls back glyph by glyph to it (e.g. for
        # the minus sign and the en dash NanumGothic lacks).
        rc.update({"font.family": [family, "DejaVu Sans"], "axes.unicode_minus": False})
    else:
        rc.update({"font.family": ["DejaVu Sans"]})
    return rc


@contextmanager
def font_context(lang: str = "en") -> Iterator[None]:
    """Select ``lang``'s fonts and sizes while figures are built and saved."""
    with matplotlib.rc_context(rc_params(lang)):
        yield
