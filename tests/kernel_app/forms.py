from django import forms


class ApproveForm(forms.Form):
    note = forms.CharField(label="审批意见", max_length=200)


class CloseForm(forms.Form):
    note = forms.CharField(label="关闭说明", max_length=200, required=False)
