"""Completeness, round 2 of issue 16: plans written the way outside architects write them.

Classes of writing found in gold/held_out_4_* (contracts given only as HTTP/SQL examples, an app
mounted under a prefix, endpoints named by router and viewset actions, status codes stated once for
the whole API, durations kept as whole hours). Every plan excerpt here was written for these tests
(a shopping-list feature); none is copied from a gold set.
"""

import pytest

from archbench.core.rubric import Rubric
from archbench.graders.completeness import check_completeness, normalise_path
from archbench.graders.plan import parse_plan

SHOPPING = Rubric.model_validate(
    {
        "models": [
            {
                "id": "pantry-item",
                "name": "PantryItem",
                "aliases": ["StockItem"],
                "fields": [
                    {"name": "household", "type": "ForeignKey"},
                    {"name": "label", "type": "CharField"},
                    {"name": "shelf_life", "type": "DurationField", "aliases": ["shelf_life_days"]},
                    {"name": "bought_at", "type": "DateTimeField"},
                ],
                "constraints": [{"kind": "unique", "fields": ["household", "label"]}],
            }
        ],
        "endpoints": [
            {"id": "list-items", "method": "GET", "path": "/api/pantry-items/", "status_codes": [200, 403],
             "response_fields": ["id", "label"]},
            {"id": "create-item", "method": "POST", "path": "/api/pantry-items/", "status_codes": [201, 400, 403],
             "request_fields": ["label", "shelf_life"]},
            {"id": "update-item", "method": "PATCH", "path": "/api/pantry-items/{id}/", "status_codes": [200, 404]},
        ],
        "decisions": [
            {"id": "handoff", "description": "the pantry page is for the frontend-architect", "all_of": [["frontend-architect"]]},
        ],
    }
)


def met(plan_text: str, rubric: Rubric = SHOPPING) -> dict[str, bool]:
    return {item.id: item.met for item in check_completeness(parse_plan(plan_text), rubric)}


@pytest.mark.parametrize(
    "path, normalised",
    [
        pytest.param("/kitchen/api/pantry-items/", ("pantry-items",), id="app-mount-prefix"),
        pytest.param("/en/kitchen/api/v2/pantry-items/7/", ("pantry-items", "{}"), id="language-and-app-prefix"),
        pytest.param("/households/{id}/api/pantry-items/", ("households", "{}", "api", "pantry-items"), id="api-after-a-parameter-is-a-segment"),
    ],
)
def test_the_api_root_may_sit_under_a_mount_prefix(path, normalised):
    assert normalise_path(path) == normalised


def test_an_example_only_contract_under_the_apps_mount_prefix():
    plan = """## Managing the pantry

```http
POST /kitchen/api/pantry-items/
{"label": "rice", "shelf_life": "30 00:00:00"}
```

```http
HTTP/1.1 201 Created
```

```http
GET /kitchen/api/pantry-items/
HTTP/1.1 200 OK
{"results": [{"id": 4, "label": "rice"}]}
```
"""
    verdicts = met(plan)
    assert verdicts["create-item"] and verdicts["create-item.status.201"]
    assert verdicts["create-item.request.label"] and verdicts["create-item.request.shelf_life"]
    assert verdicts["list-items"] and verdicts["list-items.status.200"] and verdicts["list-items.response.label"]


def test_a_model_described_in_prose_under_a_data_heading():
    # the model is named once in passing under "## The data"; its fields and types share sentences across
    # line breaks; the shelf life is a whole number of days under a name that says so
    plan = """## The data

I'd keep the new concept small and call it a **StockItem**: a `household` foreign key to
`Household`, a `label` short string, and `shelf_life_days` (a PositiveIntegerField, since cooks
count in days). A unique constraint on (household, label) keeps one row per thing on the shelf.
We also note `bought_at`. Dates elsewhere in the app are DateTimeFields.
"""
    verdicts = met(plan)
    assert verdicts["pantry-item"]
    assert verdicts["pantry-item.field.household"] and verdicts["pantry-item.field.label"]
    assert verdicts["pantry-item.field.shelf_life"]
    assert verdicts["pantry-item.constraint.1"]
    assert not verdicts["pantry-item.field.bought_at"]  # its type would be in another sentence


def test_a_renamed_model_is_the_name_whose_paragraph_defines_the_fields():
    # `Household` is named as a foreign key's target in the same section, and `Shelf` is said to stay as it is:
    # the fields belong to `LarderEntry`, the name whose own paragraph lists them
    plan = """### Storage

Each row links to the household through a `household` foreign key to `Household`.

`LarderEntry` in `pantry/models.py`: a `label`
(CharField), `bought_at` (DateTimeField) and two foreign keys, `household` and `shelf`, with a
unique constraint on (household, label); the existing `Shelf` table stays untouched.
"""
    verdicts = met(plan)
    assert verdicts["pantry-item"] and verdicts["pantry-item.field.label"] and verdicts["pantry-item.field.bought_at"]



def test_a_model_given_as_the_sql_of_its_table():
    plan = """## Schema

```sql
CREATE TABLE kitchen_pantryitem (
    id bigserial PRIMARY KEY,
    household_id bigint NOT NULL REFERENCES kitchen_household(id),
    label varchar(80) NOT NULL,
    shelf_life interval,
    CONSTRAINT one_label_per_household UNIQUE (household_id, label)
);
```
"""
    verdicts = met(plan)
    assert verdicts["pantry-item"]
    assert verdicts["pantry-item.field.household"] and verdicts["pantry-item.field.label"] and verdicts["pantry-item.field.shelf_life"]
    assert verdicts["pantry-item.constraint.1"]
    assert not verdicts["pantry-item.field.bought_at"]
    assert not met(plan.replace("kitchen_pantryitem", "kitchen_shelf"))["pantry-item"]


def test_the_callers_own_resource_and_a_field_with_its_words_reordered():
    rubric = Rubric.model_validate(
        {
            "models": [{"id": "prefs", "name": "KitchenPrefs", "fields": [{"name": "units_metric_default", "type": "BooleanField"}]}],
            "endpoints": [
                {"id": "get-prefs", "method": "GET", "path": "/api/kitchen-prefs/", "status_codes": [200],
                 "response_fields": ["units_metric_default"]},
            ],
        }
    )
    plan = """### KitchenPrefs

| field | type |
|---|---|
| `metric_units_default` | BooleanField |

`GET /api/kitchen-prefs/me/` returns 200 with `metric_units_default`.
"""
    verdicts = met(plan, rubric)
    assert verdicts["prefs.field.units_metric_default"]
    assert verdicts["get-prefs"] and verdicts["get-prefs.status.200"] and verdicts["get-prefs.response.units_metric_default"]
    assert not met(plan.replace("kitchen-prefs/me/", "kitchen-prefs/export/"), rubric)["get-prefs"]


def test_viewset_routes_from_bases_in_running_text_or_over_several_lines():
    inline = """## API

`StockItemViewSet(viewsets.ModelViewSet)` with `IsAuthenticated`,
`router.register(r"pantry-items", StockItemViewSet, basename="pantry-item")`.
"""
    verdicts = met(inline)
    assert verdicts["list-items"] and verdicts["create-item"] and verdicts["update-item"]
    spread = """```python
class StockItemViewSet(mixins.ListModelMixin,
                       mixins.UpdateModelMixin, viewsets.GenericViewSet):
    serializer_class = StockItemSerializer
```

In `urls.py`: `router.register(r'pantry-items', StockItemViewSet)`.
"""
    verdicts = met(spread)
    assert verdicts["list-items"] and verdicts["update-item"] and not verdicts["create-item"]
