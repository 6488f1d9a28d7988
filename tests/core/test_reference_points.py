"""Published reference points reproduced from each publication's own stated inputs.

Each test feeds capcalc the inputs a publication states and checks that the
chain gives the figure the publication reports. The sources are public:

* Epoch AI Frontier Data Centers, xAI rows (epoch-research/ai-chip-counts,
  ``data_inputs/xai_datacenter_timelines.csv``): chips → H100e and 8-bit OP/s.
* Epoch AI, "GPUs account for about 40 % of power usage in AI data centers"
  (18 Dec 2025): server 1.53 × GPU, IT 1.14 × server, facility 1.4 × IT.
* L. Aschenbrenner, *Situational Awareness* (Jun 2024): 1 kW per H100e;
  10 GW for a year is 87.6 TWh.
* Meta, *The Llama 3 Herd of Models* (arXiv 2407.21783) and the Llama 3.1
  model card: 3.8e25 FLOP in 30.84M H100-hours; 430 TFLOPS per GPU = 43 % MFU.
"""

from __future__ import annotations

import pytest

import calc
from calc.core import chain as model


@pytest.mark.parametrize(
    ("chips", "h100e", "op_per_s"),
    [
        # Colossus 2, 2025-10-19: 110,000 GB200 operational
        ({"GB200": 110_000}, 277_918, 5.5e20),
        # Colossus 1, 2024-09-02: 100k H100 online
        ({"H100": 100_000}, 100_000, 1.979e20),
        # Colossus 1, 2025-02-17: 150k H100 + 50k H200 online
        ({"H100": 150_000, "H200": 50_000}, 200_000, 3.958e20),
    ],
)
def test_epoch_h100_equivalents_from_chip_counts(library, chips, h100e, op_per_s):
    total_h100e = 0.0
    total_ops = 0.0
    for chip, count in chips.items():
        result = calc.run(library, library.scenario(
            "cortex-phase1", [("hardware.accelerator", chip), ("site.accelerators", count)]))
        total_h100e += result["h100_equivalents"]
        total_ops += result["h100_equivalents"] * model.H100_FP8_FLOP_PER_S
    assert total_h100e == pytest.approx(h100e, rel=2e-5)
    assert total_ops == pytest.approx(op_per_s, rel=1e-3)


@pytest.mark.parametrize(("tdp_w", "published_kw"), [(700, 1.71), (1200, 2.93)])
def test_epoch_power_shares_give_facility_power_per_gpu(tdp_w, published_kw):
    # Epoch (Dec 2025): facility ≈ 2.44 × GPU TDP ⇒ H100 ≈ 1.71 kW, GB200 ≈ 2.93 kW
    watts = model.facility_w_per_accelerator(tdp_w, 1.53, 1.14, 1.4)
    assert watts / 1000 == pytest.approx(published_kw, abs=0.005)


@pytest.mark.parametrize(("h100e", "power_mw"), [(10_000, 10), (100_000, 100),
                                                 (1_000_000, 1_000), (10_000_000, 10_000)])
def test_aschenbrenner_one_kilowatt_per_h100_equivalent(library, h100e, power_mw):
    # his stated planning value: 1 kW per H100-equivalent, all-in
    result = calc.run(library, library.scenario("cortex-phase1", [
        ("site.facility_power_mw", power_mw), ("hardware.tdp_w", 1000),
        ("hardware.server_overhead", 1), ("site.it_overhead", 1), ("site.pue", 1)]))
    assert result["h100_equivalents"] == pytest.approx(h100e, rel=1e-12)


def test_aschenbrenner_ten_gigawatts_for_a_year_is_87_6_terawatt_hours():
    assert model.annual_energy_mwh(10_000, 1.0) / 1e6 == pytest.approx(87.6, rel=1e-12)


def test_llama_3_1_405b_training_flop_from_its_gpu_hours(library):
    # 30.84M H100-hours at the stated 34.6 % of the 989 TFLOPS BF16 peak → 3.8e25 FLOP
    gpus = 16_384
    run_days = 30.84e6 / gpus / 24
    result = calc.run(library, library.scenario("cortex-phase1", [
        ("site.accelerators", gpus), ("training.run_days", run_days),
        ("training.mfu", 0.346), ("training.availability", 1.0)]))
    assert result["training_flop_per_run"] == pytest.approx(3.8e25, rel=0.01)


@pytest.mark.parametrize(("gpus", "tflops_per_gpu", "mfu"),
                         [(8_192, 430, 0.43), (16_384, 400, 0.41), (16_384, 380, 0.38)])
def test_llama_3_table_4_throughput_is_its_mfu_of_the_h100_peak(library, gpus, tflops_per_gpu,
                                                               mfu):
    result = calc.run(library, library.scenario("cortex-phase1", [
        ("site.accelerators", gpus), ("training.mfu", mfu), ("training.availability", 1.0)]))
    per_gpu = result["effective_flop_per_s"] / gpus / 1e12
    assert per_gpu == pytest.approx(tflops_per_gpu, rel=0.02)


def test_isambard_ai_on_grace_hopper_node_factors_is_under_its_five_megawatts(library):
    """Isambard-AI (Bristol; Isambard-AI paper, CUG 2024, via glennklockwood.com): 5,448
    GH200 "for under 5 MW" and "over 21 exaflops" of 8-bit AI compute (a sparse figure).
    On the GH200 entry's own node factors the IT power is under 5 MW (4.65 MW) and its dense
    8-bit FLOP/s are half the headline; modelled as HGX H100 servers it would be ~7.9 MW,
    58 % over, because a GH200's 680 W already holds the CPU an HGX server adds."""
    def it_mw(chip: str) -> float:
        result = calc.run(library, library.scenario(
            "cortex-phase1", [("hardware.accelerator", chip), ("site.accelerators", 5_448)]))
        return float(result["it_power_mw"])

    grace_hopper = calc.run(library, library.scenario(
        "cortex-phase1", [("hardware.accelerator", "GH200"), ("site.accelerators", 5_448)]))
    assert 4.0 < it_mw("GH200") < 5.0
    assert it_mw("H100") / 5.0 == pytest.approx(1.58, abs=0.01)
    sparse_8bit = 2 * grace_hopper["h100_equivalents"] * model.H100_FP8_FLOP_PER_S
    assert sparse_8bit == pytest.approx(21e18, rel=0.03)


def test_rubin_as_built_draws_the_reported_rack_power(library):
    """A Vera Rubin NVL72 (72 packages) is reported at 190-230 kW (Max-Q to Max-P): 2.64-3.19
    kW per package at the rack, 3.6-4.4 kW of facility power at capcalc's IT overhead (1.14)
    and PUE (1.2). The catalog's Rubin (2.3 kW TDP, server factor 1.39) sits at Max-P, and
    its range's Max-Q end (1.8 kW) reaches the 190 kW rack."""
    rubin = library.baseline.catalog["Rubin"]
    per_package = model.facility_w_per_accelerator(rubin.tdp_w, rubin.server_overhead, 1.14, 1.2)
    assert per_package == pytest.approx(230e3 / 72 * 1.14 * 1.2, rel=0.01)
    low_tdp = rubin.entries["tdp_w"].low
    high_factor = rubin.entries["server_overhead"].high
    assert low_tdp is not None and high_factor is not None
    assert low_tdp * high_factor * 72 == pytest.approx(190e3, rel=0.06)
    assert 3.6e3 <= per_package <= 4.4e3
