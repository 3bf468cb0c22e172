"""Generic list / detail / create / edit / export / history views, driven by the registry.

A view is a door: it parses the request, calls a selector or service, renders. An htmx request
for the results gets the named partial; a normal request the whole page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views import View

from anjian.core import audit
from anjian.core.actions import add_service_errors
from anjian.core.exporting import xlsx_response
from anjian.core.listing import column_value, scoped_list
from anjian.core.registry import Resource
from anjian.core.scoping import CHANGE, CREATE, VIEW, get_scoped_or_404, may


def display_value(obj: Model, name: str):
    """A readable value of a model field for detail pages."""
    field = obj._meta.get_field(name)
    if field.many_to_many:
        return ", ".join(str(o) for o in getattr(obj, name).all())
    if field.choices:
        return getattr(obj, f"get_{name}_display")()
    value = getattr(obj, name)
    return "" if value is None else value


def list_cells(resource: Resource, user, obj: Model, labels: dict[str, dict]) -> list[tuple]:
    """A list row's (column, value) pairs; a cell the user may not see (``redactions``) is empty."""
    hidden = resource.hidden_fields(user, obj) if resource.redactions else frozenset()
    return [
        (c, "" if hidden and resource.column_hidden(c, hidden) else column_value(obj, c, labels))
        for c in resource.columns
    ]


class ResourceView(LoginRequiredMixin, View):
    resource: Resource = None  # set by as_view()

    def context(self, **extra):
        return {"resource": self.resource, **extra}


class ResourceListView(ResourceView):
    def get(self, request: HttpRequest) -> HttpResponse:
        resource = self.resource
        queryset, query = scoped_list(resource, request.user, request.GET)
        queryset = queryset.select_related(None).select_related(*resource.list_relations())
        queryset = queryset.only(*resource.list_fields())
        for name, errors in query.errors.items():
            # A bad filter value is ignored, and the user told which filter it was.
            label = next(flt.label for flt in resource.filters if flt.name == name)
            messages.warning(
                request, _("筛选条件“%(filter)s”无效，已忽略：%(error)s") % {"filter": label, "error": errors[0]}
            )
        if request.GET.get("export") == "xlsx":
            return xlsx_response(resource, queryset, request.user)
        page = Paginator(queryset, resource.page_size).get_page(request.GET.get("page"))
        detail = resource.url_name("detail")
        labels = resource.choice_labels()
        rows = [
            (reverse(detail, args=[obj.pk]), list_cells(resource, request.user, obj, labels))
            for obj in page.object_list
        ]
        params = request.GET.copy()
        params.pop("page", None)
        params.pop("export", None)
        sort_params = params.copy()
        sort_params.pop("sort", None)
        filters = [
            (flt, flt.choices(request.user) if flt.choices else [], query.filters.get(flt.name, []))
            for flt in resource.filters
        ]
        ctx = self.context(
            page=page,
            rows=rows,
            query=query,
            filters=filters,
            querystring=params.urlencode(),
            sort_querystring=sort_params.urlencode(),
            create_url=reverse(resource.url_name("create"))
            if resource.create_service is not None and may(request.user, resource.model, CREATE)
            else None,
            list_actions=[
                (action.title, resource.url_name(action.slug))
                for action in resource.actions
                if action.page and action.collection and action.button and action.allowed(request.user, None)
            ]
            + [(label, name) for label, name, pred in resource.list_actions if pred(request.user)],
        )
        template = resource.list_template
        if request.htmx and request.htmx.target == "results":
            template = f"{template}#results"
        return render(request, template, ctx)


class ResourceDetailView(ResourceView):
    def get(self, request: HttpRequest, pk) -> HttpResponse:
        resource = self.resource
        obj = get_scoped_or_404(resource.base_queryset(), request.user, VIEW, pk=pk)
        hidden = resource.hidden_fields(request.user, obj)
        sections = [
            (
                title,
                [
                    (obj._meta.get_field(name).verbose_name, display_value(obj, name))
                    for name in names
                    if name not in hidden
                ],
            )
            for title, names in resource.detail_sections
        ]
        history = (
            audit.redacted_history_rows(obj, hidden, resource.hidden_ip_actions(request.user, obj))
            if hidden
            else audit.history_rows(obj)
        )
        can_edit = resource.form_for is not None and resource.form_for(request.user, obj) is not None
        can_edit = can_edit and may(request.user, resource.model, CHANGE)
        actions = [
            (action.title, reverse(resource.url_name(action.slug), args=[obj.pk]))
            for action in resource.allowed_actions(request.user, obj)
            if action.button and action.page
        ] + [
            (label, reverse(name, args=[obj.pk]))
            for label, name, pred in resource.detail_actions
            if pred(request.user, obj)
        ]
        ctx = self.context(
            object=resource.redacted(request.user, obj),
            sections=sections,
            can_edit=can_edit,
            actions=actions,
            history=history,
            **(resource.detail_context(request.user, obj) if resource.detail_context else {}),
        )
        return render(request, resource.detail_template, ctx)


class ResourceFormView(ResourceView):
    """Create (no pk) or edit (pk) through the resource's form and services."""

    template_name = "core/resource_form.html"

    def get_object(self, request, pk):
        if pk is None:
            if not may(request.user, self.resource.model, CREATE) or self.resource.create_service is None:
                raise Http404
            return None
        return get_scoped_or_404(self.resource.base_queryset(), request.user, CHANGE, pk=pk)

    def get_form_class(self, request, obj):
        form_class = self.resource.form_for(request.user, obj) if self.resource.form_for else None
        if form_class is None:
            raise Http404
        return form_class

    def get(self, request: HttpRequest, pk=None) -> HttpResponse:
        obj = self.get_object(request, pk)
        form = self.get_form_class(request, obj)(instance=obj, user=request.user)
        return render(request, self.template_name, self.context(form=form, object=obj))

    def post(self, request: HttpRequest, pk=None) -> HttpResponse:
        obj = self.get_object(request, pk)
        form = self.get_form_class(request, obj)(request.POST, instance=obj, user=request.user)
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in form.fields}
            try:
                if obj is None:
                    obj = self.resource.create_service(actor=request.user, data=data)
                    messages.success(request, _("已创建：%(name)s") % {"name": obj})
                else:
                    obj = self.resource.update_service(actor=request.user, instance=obj, data=data)
                    messages.success(request, _("已保存：%(name)s") % {"name": obj})
                return redirect(reverse(self.resource.url_name("detail"), args=[obj.pk]))
            except ValidationError as exc:
                add_service_errors(form, exc)
        return render(request, self.template_name, self.context(form=form, object=obj), status=400)


class ActionView(ResourceView):
    """One declared action on one record (``anjian.core.actions``). GET shows its form, or why it
    cannot be taken now (an htmx request gets the panel fragment); POST calls the service.
    Refusals and bad input answer 400 and change nothing."""

    action = None  # set by as_view()

    def record(self, request, pk) -> Model:
        return get_scoped_or_404(self.resource.base_queryset(), request.user, VIEW, pk=pk)

    def get(self, request: HttpRequest, pk) -> HttpResponse:
        record = self.record(request, pk)
        # ?<field>=<value> pre-fills the form (e.g. the event a "add a measure" link starts from)
        form = self.action.build_form(request.user, record, initial=request.GET.dict() or None)
        return self.render(request, record, form, self.action.refusal(request.user, record))

    def post(self, request: HttpRequest, pk) -> HttpResponse:
        action, user = self.action, request.user
        record = self.record(request, pk)
        form = action.build_form(user, record, request.POST, request.FILES)
        version = posted_version(request) if action.versioned else None
        problem = None
        if version is not None and version != action.version_of(record):
            problem = action.workflow.stale().messages[0]
        problem = problem or action.refusal(user, record)
        if problem:
            form.is_valid()  # keep what the user typed, shown with the message
            form.add_error(None, problem)
        elif form.is_valid():
            try:
                result = action.perform(actor=user, record=record, form=form, expected_version=version)
            except ObjectDoesNotExist:
                raise Http404 from None
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if action.done:
                    messages.success(request, action.done)
                target = action.result_record(record, result)
                return redirect(reverse(self.resource.url_name("detail"), args=[target.pk]))
        return self.render(request, record, form, None, status=400)

    def render(self, request, record, form, problem, status: int = 200) -> HttpResponse:
        action, resource = self.action, self.resource
        ctx = self.context(
            object=record,
            action=action,
            action_url=reverse(resource.url_name(action.slug), args=[record.pk]),
            detail_url=reverse(resource.url_name("detail"), args=[record.pk]),
            version=action.version_of(record),
            form=form,
            problem=problem,
            **{record._meta.model_name: record},
            **(resource.action_context(request.user, record) if resource.action_context else {}),
        )
        if request.htmx and not request.htmx.boosted and request.method == "GET":
            ctx.update(fragment=True, layout="core/fragment.html")  # the panel only
        return render(request, action.template or resource.action_template, ctx, status=status)


class CollectionActionView(ResourceView):
    """A declared collection action (it makes a record): GET shows its form, POST calls the service
    and leads to the new record. A user who may not take it gets 404, like a create page."""

    action = None  # set by as_view()

    def allowed(self, request) -> None:
        if self.action.refusal(request.user, None):
            raise Http404

    def get(self, request: HttpRequest) -> HttpResponse:
        self.allowed(request)
        return self.render(request, self.action.build_form(request.user, None, initial=request.GET.dict() or None))

    def post(self, request: HttpRequest) -> HttpResponse:
        self.allowed(request)
        action, resource = self.action, self.resource
        form = action.build_form(request.user, None, request.POST, request.FILES)
        if form.is_valid():
            try:
                made = action.perform(actor=request.user, record=None, form=form)
            except ObjectDoesNotExist:
                raise Http404 from None
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if action.done:
                    messages.success(request, action.done)
                if isinstance(made, resource.model):
                    return redirect(reverse(resource.url_name("detail"), args=[made.pk]))
                return redirect(reverse(resource.url_name("list")))
        return self.render(request, form, status=400)

    def render(self, request, form, status: int = 200) -> HttpResponse:
        action, resource = self.action, self.resource
        list_url = reverse(resource.url_name("list"))
        ctx = self.context(
            object=None,
            action=action,
            action_url=reverse(resource.url_name(action.slug)),
            detail_url=list_url,
            version=None,
            form=form,
            problem=None,
        )
        return render(request, action.template or resource.action_template, ctx, status=status)


def posted_version(request: HttpRequest) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


def resource_urls(resource: Resource) -> list:
    """URL patterns of a registered resource: list (+ export), create, detail, edit."""
    attrs = {"resource": resource}
    patterns = [
        path("", ResourceListView.as_view(**attrs), name=f"{resource.slug}-list"),
        path("<str:pk>/", ResourceDetailView.as_view(**attrs), name=f"{resource.slug}-detail"),
    ]
    if resource.form_for is not None:
        patterns += [
            path("new/", ResourceFormView.as_view(**attrs), name=f"{resource.slug}-create"),
            path("<str:pk>/edit/", ResourceFormView.as_view(**attrs), name=f"{resource.slug}-edit"),
        ]
        # "new/" must win over "<pk>/"
        patterns.sort(key=lambda p: 0 if str(p.pattern) == "new/" else 1)
    patterns += [
        path(
            f"<str:pk>/{action.slug}/",
            ActionView.as_view(resource=resource, action=action),
            name=f"{resource.slug}-{action.slug}",
        )
        for action in resource.actions
        if action.page and not action.collection
    ]
    # Collection actions ("<action>/") must win over "<pk>/".
    collection = [
        path(
            f"{action.slug}/",
            CollectionActionView.as_view(resource=resource, action=action),
            name=f"{resource.slug}-{action.slug}",
        )
        for action in resource.actions
        if action.page and action.collection
    ]
    return collection + patterns
