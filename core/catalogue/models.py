"""Vehicles, the category tree, parts, fitments, cross-references and reviews."""

from tortoise import fields
from tortoise.models import Model
from tortoise.signals import pre_save

from core.catalogue.normalise import brand_key, normalise_article, search_text

# The shop's languages a category name can be translated into (the imported name is English).
CATEGORY_LOCALES = ("uk", "ru", "es")


def translated_name(name: str, translations: dict[str, str], locale: str | None) -> str:
    return translations.get(locale or "", "") or name


class Make(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=64, unique=True)
    slug = fields.CharField(max_length=64, unique=True)

    class Meta:
        table = "make"
        ordering = ["name"]


class VehicleModel(Model):
    id = fields.IntField(primary_key=True)
    make = fields.ForeignKeyField("gearshop.Make", related_name="models", on_delete=fields.CASCADE)
    name = fields.CharField(max_length=96)

    class Meta:
        table = "vehicle_model"
        unique_together = (("make", "name"),)
        ordering = ["name"]


class Vehicle(Model):
    id = fields.IntField(primary_key=True)
    model = fields.ForeignKeyField("gearshop.VehicleModel", related_name="vehicles", on_delete=fields.CASCADE)
    # External id such as a TecDoc KType: what catalogue files and scripts refer to.
    external_id = fields.CharField(max_length=32, unique=True, null=True)
    generation = fields.CharField(max_length=96, default="")
    body = fields.CharField(max_length=48, default="")
    engine_code = fields.CharField(max_length=48, default="")
    engine_cc = fields.IntField(null=True)
    power_kw = fields.IntField(null=True)
    fuel = fields.CharField(max_length=24, default="")
    year_from = fields.SmallIntField()
    year_to = fields.SmallIntField(null=True)

    class Meta:
        table = "vehicle"
        ordering = ["year_from", "id"]


class Category(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=96)
    slug = fields.CharField(max_length=128, unique=True)
    parent = fields.ForeignKeyField("gearshop.Category", related_name="children", null=True, on_delete=fields.CASCADE)
    # The name in the shop's other languages (categories.csv); "" = show `name`.
    name_uk = fields.CharField(max_length=96, default="")
    name_ru = fields.CharField(max_length=96, default="")
    name_es = fields.CharField(max_length=96, default="")

    class Meta:
        table = "category"
        ordering = ["name"]

    def name_in(self, locale: str | None) -> str:
        """The name in `locale` when the catalogue has it, else the name as imported."""
        return translated_name(self.name, self.translations(), locale)

    def translations(self) -> dict[str, str]:
        return {locale: getattr(self, f"name_{locale}") for locale in CATEGORY_LOCALES}


class Part(Model):
    id = fields.IntField(primary_key=True)
    brand = fields.CharField(max_length=64)
    # Upper-cased brand: the brand half of a part's identity.
    brand_key = fields.CharField(max_length=64)
    article = fields.CharField(max_length=64)
    # normalise_article(article): what searches by number compare.
    article_norm = fields.CharField(max_length=64, db_index=True)
    name = fields.CharField(max_length=255)
    description = fields.TextField(default="")
    category = fields.ForeignKeyField("gearshop.Category", related_name="parts", null=True, on_delete=fields.SET_NULL)
    price = fields.IntField()  # minor units
    currency = fields.CharField(max_length=3)
    stock = fields.IntField(default=0)
    # Cross-reference group (see CrossReference); parts of one group are analogues.
    xref_group = fields.IntField(null=True, db_index=True)
    # normalise.search_text(...): what a word search matches, case-folded for every alphabet.
    search_text = fields.TextField(default="")
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "part"
        unique_together = (("brand_key", "article_norm"),)


@pre_save(Part)
async def _derive_part_keys(sender, instance: Part, using_db, update_fields) -> None:
    # Parts saved through the ORM (tests, staff tools) get the same derived keys as imported ones.
    instance.brand_key = brand_key(instance.brand)
    instance.article_norm = normalise_article(instance.article)
    category = await Category.get_or_none(id=instance.category_id, using_db=using_db) if instance.category_id else None
    names = (category.name, *category.translations().values()) if category else ()
    instance.search_text = search_text(
        instance.brand, instance.name, instance.article, instance.article_norm, names
    )


class Fitment(Model):
    id = fields.IntField(primary_key=True)
    part = fields.ForeignKeyField("gearshop.Part", related_name="fitments", on_delete=fields.CASCADE)
    vehicle = fields.ForeignKeyField("gearshop.Vehicle", related_name="fitments", on_delete=fields.CASCADE)
    position = fields.CharField(max_length=48, default="")
    note = fields.CharField(max_length=255, default="")

    class Meta:
        table = "fitment"
        unique_together = (("part", "vehicle", "position"),)
        indexes = (("vehicle_id", "part_id"),)


class CrossReference(Model):
    # One OE or analogue number in a group; searching any number of a group finds the group.

    id = fields.IntField(primary_key=True)
    group = fields.IntField(db_index=True)
    brand = fields.CharField(max_length=64)
    brand_key = fields.CharField(max_length=64)
    number = fields.CharField(max_length=64)
    number_norm = fields.CharField(max_length=64, db_index=True)

    class Meta:
        table = "cross_reference"
        unique_together = (("brand_key", "number_norm"),)


class CatalogueState(Model):
    # A single row whose version changes on every import, so caches know when to drop.

    id = fields.IntField(primary_key=True)
    version = fields.IntField(default=0)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "catalogue_state"


class Review(Model):
    # A public review (P15): shown with a display name, never an email or phone.

    id = fields.IntField(primary_key=True)
    part = fields.ForeignKeyField("gearshop.Part", related_name="reviews", on_delete=fields.CASCADE)
    customer = fields.ForeignKeyField("gearshop.Customer", related_name="reviews", null=True, on_delete=fields.SET_NULL)
    display_name = fields.CharField(max_length=64)
    rating = fields.SmallIntField()
    text = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)
    removed_at = fields.DatetimeField(null=True)
    removed_by = fields.ForeignKeyField("gearshop.Customer", related_name="removed_reviews", null=True, on_delete=fields.SET_NULL)

    class Meta:
        table = "review"
