"""Set-up of pools, programs, tiers and promotions. Codes and balances change only through the
services (the API and the profile page), so they are read-only here."""

from django.contrib import admin

from .models import Member, PointsTransaction, Program, PromoCode, PromoPool, Promotion, Tier


@admin.register(PromoPool)
class PromoPoolAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]


@admin.register(PromoCode)
class PromoCodeAdmin(admin.ModelAdmin):
    list_display = ["code", "pool", "profile", "attached_at", "activated_at", "detached_at"]
    list_filter = ["pool"]
    search_fields = ["code"]
    list_select_related = ["pool", "profile"]
    readonly_fields = ["profile", "attached_at", "activated_at", "detached_at"]
    raw_id_fields = ["pool"]


class TierInline(admin.TabularInline):
    model = Tier
    extra = 0


class PromotionInline(admin.TabularInline):
    model = Promotion
    extra = 0


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active", "created_at"]
    inlines = [TierInline, PromotionInline]


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["profile", "program", "tier", "balance", "earned", "enrolled_at"]
    list_filter = ["program"]
    list_select_related = ["profile", "program", "tier"]
    raw_id_fields = ["profile"]
    readonly_fields = ["tier", "balance", "earned"]


@admin.register(PointsTransaction)
class PointsTransactionAdmin(admin.ModelAdmin):
    list_display = ["member", "kind", "points", "balance", "reason", "actor", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["member", "actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
