from django.contrib import admin

from .models import Order, OrderLine, Product


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["sku", "name", "price", "currency", "is_active"]
    search_fields = ["sku", "name"]
    list_filter = ["is_active"]


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    readonly_fields = ["product", "quantity", "price"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    """Orders come in through the API import; the admin shows them (view_order) and corrects
    a status."""

    list_display = ["external_id", "profile", "status", "total", "currency", "ordered_at"]
    list_filter = ["status"]
    search_fields = ["external_id"]
    raw_id_fields = ["profile"]
    list_select_related = ["profile"]
    inlines = [OrderLineInline]
    readonly_fields = ["profile", "external_id", "currency", "total", "ordered_at"]

    def has_add_permission(self, request):
        return False
