"""Completeness on plans that write endpoints, models and fields the way plans for other repos do (issue 16).

Every plan excerpt here was written for these tests (a recipe-bookmarks feature); none is copied from a gold set.
"""

from archbench.core.rubric import Rubric
from archbench.graders.completeness import check_completeness
from archbench.graders.plan import parse_plan

BOOKMARKS = Rubric.model_validate(
    {
        "models": [
            {
                "id": "bookmark",
                "name": "RecipeBookmark",
                "aliases": ["SavedRecipe"],
                "fields": [
                    {"name": "recipe", "type": "ForeignKey"},
                    {"name": "note", "type": "TextField"},
                    {"name": "visibility", "type": "CharField", "aliases": ["is_shared", "shared"]},
                    {"name": "created_by", "type": "ForeignKey"},
                ],
            }
        ],
        "endpoints": [
            {"id": "list", "method": "GET", "path": "/kitchens/{kitchen_slug}/cookbooks/{cookbook_id}/bookmarks/", "status_codes": [200]},
            {"id": "create", "method": "POST", "path": "/kitchens/{kitchen_slug}/cookbooks/{cookbook_id}/bookmarks/", "status_codes": [201, 400]},
            {"id": "update", "method": "PATCH", "path": "/kitchens/{kitchen_slug}/cookbooks/{cookbook_id}/bookmarks/{pk}/", "status_codes": [200]},
            {"id": "delete", "method": "DELETE", "path": "/kitchens/{kitchen_slug}/cookbooks/{cookbook_id}/bookmarks/{pk}/", "status_codes": [204]},
        ],
        "migrations": [
            {"id": "additive", "description": "one new table", "all_of": [["migration"], ["new table", "additive"]]},
        ],
        "edge_cases": [
            {"id": "guests", "description": "guests may list shared bookmarks", "all_of": [["guest", "guests"]]},
            {"id": "hidden", "description": "another cook's private bookmark is a 404", "all_of": [["private"], ["404"]]},
            {"id": "recipe-gone", "description": "a deleted recipe removes its bookmarks", "all_of": [["recipe"], ["deleted"]]},
            {"id": "rename", "description": "only the owner renames", "all_of": [["owner"], ["rename", "renames"]]},
            {"id": "ordering", "description": "newest bookmarks first", "all_of": [["newest first", "-created_at"]]},
        ],
        "decisions": [
            {"id": "handoff", "description": "the bookmark UI is for the frontend-architect", "all_of": [["frontend-architect"]]},
        ],
    }
)


def met(plan_text: str, rubric: Rubric = BOOKMARKS) -> dict[str, bool]:
    return {item.id: item.met for item in check_completeness(parse_plan(plan_text), rubric)}


def test_methods_listed_under_a_base_path_take_that_path():
    plan = """## API

CRUD on `/api/kitchens/<slug>/cookbooks/<cookbook_id>/bookmarks/` with a viewset:

- `GET` list → 200
- `POST` create → 201, 400 on a missing recipe
- `PATCH <pk>/` → 200
- `DELETE <pk>/` → 204
"""
    result = met(plan)
    assert all(result[endpoint] for endpoint in ("list", "create", "update", "delete"))
    assert result["create.status.400"] and result["update.status.200"] and result["delete.status.204"]


def test_the_same_path_and_a_same_cell_refer_to_the_path_above():
    prose = """- `GET /api/kitchens/<slug>/cookbooks/<cookbook_id>/bookmarks/` lists them (200).
- `POST` on the same path adds one: 201, or 400 when the recipe is missing.
"""
    assert met(prose)["create"] and met(prose)["create.status.400"]
    table = """| method | path | codes |
|---|---|---|
| PATCH | `/api/kitchens/<slug>/cookbooks/<cookbook_id>/bookmarks/<pk>/` | 200 |
| DELETE | same | 204 |
"""
    assert met(table)["delete"] and met(table)["delete.status.204"]
    # a method in prose, with neither "same path" nor a list of methods under the path, names no endpoint
    prose_only = """The list lives at `/api/kitchens/<slug>/cookbooks/<cookbook_id>/bookmarks/`.
Clients should not POST twice; they retry with the same idempotency key.
"""
    assert not met(prose_only)["create"]


def test_example_urls_with_a_word_for_the_slug_and_shortened_ids():
    plan = """```http
PATCH /api/kitchens/downtown/cookbooks/9c1e…/bookmarks/4ab0…/
{"note": "less salt"}
```
→ 200
"""
    assert met(plan)["update"]
    # a word stands for a slug, not for an id parameter
    assert not met("`PATCH /api/kitchens/downtown/cookbooks/latest/bookmarks/first/` → 200")["update"]


def test_elided_prefix_and_dropped_parent_resources():
    assert met("- `DELETE /…/bookmarks/<pk>/` → 204")["delete"]
    assert met("- `DELETE .../bookmarks/<pk>/` → 204")["delete"]
    assert met("- `GET /api/cookbooks/{cookbook_id}/bookmarks/` → 200")["list"]
    # one segment alone is too little to tell which resource it is
    assert not met("- `GET /api/bookmarks/` → 200")["list"]


OFF_TOPIC = """# Plan: shopping lists

## Model: `ShoppingList(BaseModel)`

| field | type |
|---|---|
| title | CharField |

Migration `0007_shoppinglist`: a new table, additive.

## Endpoints

| GET | `/api/kitchens/<slug>/shopping-lists/` | ADMIN, MEMBER, GUEST | 200 |

The list screen is for the frontend-architect.
"""


def test_a_plan_for_another_feature_gets_no_concept_credit():
    result = met(OFF_TOPIC)
    assert not any(result[concept] for concept in ("additive", "guests", "handoff"))
    items = {item.id: item for item in check_completeness(parse_plan(OFF_TOPIC), BOOKMARKS)}
    assert "`ShoppingList`" in items["additive"].description  # the verdict says why
    # a plan that states most of the rubric's concepts answers the request, whatever it calls its model
    most = OFF_TOPIC + "\nA private bookmark of another cook is a 404; a deleted recipe drops its bookmarks.\n"
    assert met(most)["additive"] and met(most)["hidden"]
    # the same text for the requested model, a plan introducing no model, or a new API class: credited
    on_topic = OFF_TOPIC.replace("ShoppingList", "RecipeBookmark")
    assert all(met(on_topic)[concept] for concept in ("additive", "guests", "handoff"))
    thin = "A new table for bookmarks (one additive migration); guests can read shared ones; UI to the frontend-architect."
    assert all(met(thin)[concept] for concept in ("additive", "guests", "handoff"))
    api_class = "A new `BookmarkListApi` serves them; guests may read shared ones."
    assert met(api_class)["guests"]


FIELDS = Rubric.model_validate(
    {
        "models": [
            {
                "id": "bookmark",
                "name": "RecipeBookmark",
                "fields": [{"name": "visibility", "type": "CharField", "aliases": ["sharing", "is_shared"]}],
            }
        ],
        "endpoints": [
            {"id": "list", "method": "GET", "path": "/bookmarks/", "response_fields": ["id", "note", "visibility"]},
            {"id": "create", "method": "POST", "path": "/bookmarks/", "request_fields": ["note", "visibility"]},
        ],
    }
)


def test_fields_listed_right_after_an_endpoint_table_belong_to_its_endpoints():
    plan = """| Method | Path | Status |
|---|---|---|
| GET | `/api/bookmarks/` | 200 |
| POST | `/api/bookmarks/` | 201, 400 |

Response item and request body: `id`, `note`, `visibility`.
"""
    result = met(plan, FIELDS)
    assert result["list.response.note"] and result["list.response.visibility"] and result["create.request.note"]
    # a paragraph that does not speak of requests or responses is not read as their fields
    unrelated = plan.replace("Response item and request body:", "Later we may index")
    assert not met(unrelated, FIELDS)["list.response.note"]
    listed = plan.replace("Response item and request body:", "List items:")
    assert met(listed, FIELDS)["list.response.note"]


def test_an_api_field_may_carry_the_aliases_of_the_model_field_it_shows():
    plan = "- `POST /api/bookmarks/` takes `note` and `sharing` (private or kitchen); 201.\n"
    assert met(plan, FIELDS)["create.request.visibility"]


def test_a_model_named_once_under_a_generic_model_heading_is_defined_there():
    plan = """## The model

I'd call it `SavedRecipe` and keep it next to the recipe models. Fields: `recipe` (ForeignKey to
Recipe), `note` (TextField, blank) and `visibility` (CharField with private/kitchen choices).

## The endpoints

Nothing unusual.
"""
    result = met(plan)
    assert result["bookmark"] and result["bookmark.field.note"] and result["bookmark.field.visibility"]
    # under a heading that is not about models, the same words define nothing
    assert not met(plan.replace("## The model", "## Background"))["bookmark.field.note"]


def test_inherited_fields_and_a_boolean_for_a_field_the_rubric_also_calls_is_shared():
    plan = """### `RecipeBookmark`

It inherits `KitchenBaseModel`, which gives the id, the timestamps and `created_by`.

- `note` — TextField
- `is_shared` — BooleanField(default=False)
"""
    result = met(plan)
    assert result["bookmark.field.created_by"] and result["bookmark.field.visibility"]
    # named without the cue or a type, a field is not credited
    assert not met(plan.replace("It inherits `KitchenBaseModel`, which gives", "We keep"))["bookmark.field.created_by"]


PLANNER = Rubric.model_validate(
    {
        "endpoints": [
            {"id": "meal-planner", "method": "GET", "path": "/kitchens/{kitchen_slug}/recipes/", "status_codes": [200],
             "response_fields": ["title"]},
            {"id": "list-recipes", "method": "POST", "path": "/kitchens/{kitchen_slug}/recipes/"},
        ]
    }
)


def test_the_endpoint_id_may_name_the_resource_the_plan_serves():
    plan = """| GET | `/api/kitchens/<slug:kitchen_slug>/planner/` | 200 |

Response items: `title`, `starts_on`.
"""
    result = met(plan, PLANNER)
    assert result["meal-planner"] and result["meal-planner.status.200"] and result["meal-planner.response.title"]
    # the id's verbs never stand for a resource, and the other method is another endpoint
    assert not met("| POST | `/api/kitchens/<slug:kitchen_slug>/list/` | 201 |", PLANNER)["list-recipes"]
    assert not met("| POST | `/api/kitchens/<slug:kitchen_slug>/planner/` | 201 |", PLANNER)["meal-planner"]


def test_query_parameters_are_not_response_fields():
    in_url = "- `GET /api/bookmarks/?note=salt&visibility=kitchen` → 200 (paginated)\n"
    assert not met(in_url, FIELDS)["list.response.note"]
    in_filter_clause = "- `GET /api/bookmarks/` (filtered by note, visibility) → 200\n"
    assert not met(in_filter_clause, FIELDS)["list.response.visibility"]
    # the same names as the items' fields are response fields
    assert met("- `GET /api/bookmarks/` → 200; each item has `id`, `note`, `visibility`\n", FIELDS)["list.response.note"]


def test_a_model_that_gains_fields_is_anchored_where_it_gains_them():
    plan = "The list stays as it is. `RecipeBookmark` gains `note` (TextField, blank) and `is_shared` (BooleanField).\n"
    result = met(plan)
    assert result["bookmark"] and result["bookmark.field.note"]


def test_a_route_whose_path_call_spreads_over_lines():
    plan = '''```python
class BookmarkListEndpoint(APIView):
    def get(self, request, slug, cookbook_id):
        return Response({"results": []}, status=200)
```

```python
    path(
        "kitchens/<str:slug>/cookbooks/<int:cookbook_id>/bookmarks/",
        BookmarkListEndpoint.as_view(),
    ),
```
'''
    assert met(plan)["list"] and met(plan)["list.status.200"]


CLEANUP = Rubric.model_validate(
    {
        "tasks": [
            {"id": "sync", "name": "sync_pantry", "retry": True, "failure_handling": True},
            {"id": "prune", "name": "prune_bookmarks", "failure_handling": True},
        ]
    }
)


def test_a_tasks_failure_handling_in_its_own_section_or_in_other_words():
    plan = """### Retries (`sync_pantry`)

`max_retries=5` with exponential backoff.

### Failure handling

After the last retry the sync run is marked failed and support is alerted.

### Something else

`prune_bookmarks` runs nightly.
"""
    result = met(plan, CLEANUP)
    assert result["sync.failure_handling"] and not result["prune.failure_handling"]
    # a property section names another task: it is that task's
    assert not met(plan.replace("### Failure handling", "### Failure handling of `prune_bookmarks`"), CLEANUP)["sync.failure_handling"]
    assert met("`prune_bookmarks`: a batch that fails for good is logged and skipped.", CLEANUP)["prune.failure_handling"]
    assert met("`prune_bookmarks`: after the final failure the row stays FAILED.", CLEANUP)["prune.failure_handling"]
