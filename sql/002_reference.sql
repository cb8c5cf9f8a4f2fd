-- Reference data every installation needs: the towns of Jiyuan and the
-- categories of needs.  Organisations, accounts and campaigns are data
-- entered by the city committee (demo data: sql/demo/).

insert into towns (id, slug, name_zh, name_en, sort) values
	(1, 'potou', '坡头镇', 'Potou', 1),
	(2, 'wangwu', '王屋镇', 'Wangwu', 2),
	(3, 'shaoyuan', '邵原镇', 'Shaoyuan', 3),
	(4, 'xiaye', '下冶镇', 'Xiaye', 4),
	(5, 'dayu', '大峪镇', 'Dayu', 5),
	(6, 'sili', '思礼镇', 'Sili', 6),
	(7, 'kejing', '克井镇', 'Kejing', 7),
	(8, 'wulongkou', '五龙口镇', 'Wulongkou', 8),
	(9, 'lilin', '梨林镇', 'Lilin', 9),
	(10, 'zhicheng', '轵城镇', 'Zhicheng', 10),
	(11, 'chengliu', '承留镇', 'Chengliu', 11);

insert into categories (slug, name_zh, name_en, sort) values
	('clothing', '衣物鞋帽', 'Clothing', 1),
	('daily', '生活用品', 'Daily necessities', 2),
	('stationery', '文具', 'Stationery', 3),
	('books', '图书', 'Books', 4),
	('sports', '体育器材', 'Sports equipment', 5),
	('computing', '电脑设备', 'Computers', 6),
	('food', '营养餐食', 'Food and nutrition', 7),
	('medical', '医疗康复', 'Medical care', 8),
	('tuition', '学费', 'Tuition', 9),
	('living', '生活费', 'Living costs', 10),
	('counselling', '心理辅导', 'Counselling', 11),
	('tutoring', '课业辅导', 'Tutoring', 12),
	('trip', '研学出游', 'Trips', 13);
