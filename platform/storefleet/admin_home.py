"""The admin's home page per role: each app adds a panel of the work waiting for the person
signed in (``construct_homepage_panels`` in its ``wagtail_hooks``), so an agent, a regional
manager and a brand's editor each land on what they came for, not on an empty dashboard."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wagtail.admin.ui.components import Component


@dataclass(frozen=True, slots=True)
class WorkItem:
    """One line of a panel: what is waiting, how many (None: not counted), and where to go."""

    label: str
    url: str
    count: int | None = None
    note: str = ""
    urgent: bool = False  # shown as needing attention (a failed launch, leads the ERP refused)


class WorkPanel(Component):
    template_name = "storefleet/admin_home/work_panel.html"

    def __init__(
        self,
        *,
        name: str,
        heading: str,
        items: list[WorkItem],
        order: int,
        action: WorkItem | None = None,
        empty: str = "",
    ) -> None:
        self.name = name
        self.heading = heading
        self.items = items
        self.order = order
        self.action = action
        self.empty = empty

    def get_context_data(self, parent_context: Any = None) -> dict[str, Any]:
        return {
            "name": self.name,
            "heading": self.heading,
            "items": self.items,
            "action": self.action,
            "empty": self.empty,
        }
