from django import forms


class ApproveForm(forms.Form):
    note = forms.CharField(label="审批意见", max_length=200)


class CloseForm(forms.Form):
    note = forms.CharField(label="关闭说明", max_length=200, required=False)


class OpenForm(forms.Form):
    """A new work order: the enterprise among those the user sees."""

    enterprise = forms.ModelChoiceField(label="企业", queryset=None)
    title = forms.CharField(label="标题", max_length=50)

    def __init__(self, *args, user, **kwargs):
        from anjian.core.scoping import VIEW, restrict
        from anjian.enterprises.models import Enterprise

        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = restrict(Enterprise.objects.all(), user, VIEW)
