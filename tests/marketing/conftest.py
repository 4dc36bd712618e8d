"""Lead form pages in the Ferrum and Hydra test stores."""

from __future__ import annotations

import pytest

from storefleet.marketing.models import LeadFormField, LeadFormPage, LeadPurpose

SKU_QUESTION = "Which product would you like a sample of?"


def lead_form_make(home, *, slug: str = "contact", purpose: str = LeadPurpose.CONTACT_SALES):
    page = LeadFormPage(title="Contact sales", slug=slug, purpose=purpose, intro="Ask us.")
    page.form_fields = [
        LeadFormField(
            label=SKU_QUESTION, field_type="singleline", required=False, clean_name="sample_sku"
        )
    ]
    home.add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture
def ferrum_form(ferrum) -> LeadFormPage:
    return lead_form_make(ferrum.home)


@pytest.fixture
def hydra_form(hydra) -> LeadFormPage:
    return lead_form_make(hydra.home)


def answers(**changes: str) -> dict[str, str]:
    data = {
        "name": "Ada Lovelace",
        "email": "ada@analytical.example",
        "company": "Analytical Engines Ltd",
        "phone": "+44 20 1234",
        "message": "We need 20,000 M5 bolts a month.",
        "sample_sku": "FAS-1001",
        "homepage": "",
    }
    data.update(changes)
    return data
